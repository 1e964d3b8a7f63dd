from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "qimaturity.web.cohorts"
    label = "cohorts"
    verbose_name = "Cohorts"
