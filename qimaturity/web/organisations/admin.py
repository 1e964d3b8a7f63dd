from django.contrib import admin

from qimaturity.web.organisations.models import Membership, Organisation, Workspace

admin.site.register(Workspace)
admin.site.register(Organisation)
admin.site.register(Membership)
