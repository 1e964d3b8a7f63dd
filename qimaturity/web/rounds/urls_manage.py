"""The organisation admin's pages (included at ``rounds/``)."""

from django.urls import path

from qimaturity.web.rounds import manage

app_name = "rounds"

urlpatterns = [
    path("", manage.round_list, name="list"),
    path("new/", manage.round_create, name="create"),
    path("<int:pk>/", manage.round_detail, name="detail"),
    path("<int:pk>/close/", manage.round_close, name="close"),
    path("<int:pk>/remind/", manage.round_remind, name="remind"),
    path("<int:pk>/upload/", manage.round_upload, name="upload"),
    path("<int:pk>/invitations/<int:invitation>/", manage.invitation_detail, name="invitation"),
    path("<int:pk>/invitations/<int:invitation>/new-link/", manage.invitation_new_link, name="new_link"),
    path("<int:pk>/invitations/<int:invitation>/email/", manage.invitation_email, name="email_link"),
    path("<int:pk>/answers.yaml", manage.download_answers, name="download_answers"),
    path("<int:pk>/result.json", manage.download_result, name="download_result"),
    path("<int:pk>/report.html", manage.download_html, name="download_html"),
    path("<int:pk>/reports/", manage.report_request, name="report_request"),
    path("<int:pk>/reports/<int:report>.pdf", manage.report_download, name="report_download"),
    path("organisations/<slug:code>/audit/", manage.audit_log, name="audit"),
]
