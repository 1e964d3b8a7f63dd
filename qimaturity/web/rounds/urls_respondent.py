"""The respondent's pages, under ``r/<token>/``: the token in the link is the respondent's only credential."""

from django.urls import path

from qimaturity.web.rounds import respondent

app_name = "respond"

urlpatterns = [
    path("<str:token>/", respondent.start, name="start"),
    path("<str:token>/page/<int:number>/", respondent.page, name="page"),
    path("<str:token>/review/", respondent.review, name="review"),
]
