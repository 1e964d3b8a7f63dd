from django.contrib import admin

from qimaturity.web.rounds.models import Invitation, Round

admin.site.register(Round)
# Answers are not registered: a site admin manages accounts and rounds, not what a respondent said.
admin.site.register(Invitation)
