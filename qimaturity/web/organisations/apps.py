from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "qimaturity.web.organisations"
    label = "organisations"
    verbose_name = "Workspaces and organisations"
