from django.urls import path

from registrations.views import kit, manage, returning, signup

app_name = "registrations"

urlpatterns = [
    path("register/<slug:kind>/", signup.register, name="register"),
    path("registered/", signup.register_done, name="register_done"),
    path("confirm/<str:token>/", signup.confirm, name="confirm"),
    path("manage/<str:token>/", manage.manage, name="manage"),
    path("manage/<str:token>/calendar.ics", kit.calendar_ics, name="calendar"),
    path("manage/<str:token>/withdraw/", manage.withdraw, name="withdraw"),
    path("lost-link/", manage.lost_link, name="lost_link"),
    path("return/<str:token>/", returning.accept_invitation, name="return"),
]
