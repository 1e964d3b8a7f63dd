from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "qimaturity.web.audit"
    label = "audit"
    verbose_name = "Audit log"
