"""Every URL of the site. The access-control matrix test walks this list: a new URL needs its expected answers."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from qimaturity.web import pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="login.jinja"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("r/", include("qimaturity.web.rounds.urls_respondent")),
    path("cohorts/", include("qimaturity.web.cohorts.urls")),
    path("rounds/", include("qimaturity.web.rounds.urls_manage")),
]
