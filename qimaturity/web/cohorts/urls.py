"""A regulator's or analyst's pages (``cohorts:``): the closed rounds, one round's result, the cohort comparison."""

from django.urls import path

from qimaturity.web.cohorts import views

app_name = "cohorts"
urlpatterns = [
    path("", views.index, name="index"),
    path("rounds/<int:round_id>/", views.round_result, name="round"),
    path("compare/", views.comparison, name="compare"),
    path("compare/<str:rubric_id>/report.html", views.comparison_report, name="report"),
]
