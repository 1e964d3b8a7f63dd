from django.apps import AppConfig


class RoundsConfig(AppConfig):
    name = "qimaturity.web.rounds"
    label = "rounds"
    verbose_name = "Assessment rounds"
