from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("", views.home, name="home"),
    path("editions/", views.edition_list, name="edition_list"),
    path("schedule/", views.schedule, name="schedule"),
]
