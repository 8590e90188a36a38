from django.urls import path

from registrations.views import public, returning, signup

app_name = "registrations"

urlpatterns = [
    path("register/<slug:kind>/", signup.register, name="register"),
    path("registered/", signup.register_done, name="register_done"),
    path("confirm/<str:token>/", signup.confirm, name="confirm"),
    path("manage/<str:token>/", signup.manage, name="manage"),
    path("manage/<str:token>/withdraw/", signup.withdraw, name="withdraw"),
    path("lost-link/", signup.lost_link, name="lost_link"),
    path("return/<str:token>/", returning.accept_invitation, name="return"),
    path("participants/", public.participant_list, name="participant_list"),
    path("participants.csv", public.participants_csv, name="participants_csv"),
    path("participants.json", public.participants_json, name="participants_json"),
    path("participants.geojson", public.participants_geojson, name="participants_geojson"),
    path("participants/handles.txt", public.participant_handles, name="participant_handles"),
    path("stats/", public.statistics, name="statistics"),
    path("map/", public.participant_map, name="map"),
    path("map/embed/", public.participant_map_embed, name="map_embed"),
]
