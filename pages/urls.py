from django.urls import path

from pages.views import editions, participants, site

app_name = "pages"

urlpatterns = [
    path("", editions.home, name="home"),
    path("editions/", editions.edition_list, name="edition_list"),
    path("schedule/", editions.schedule, name="schedule"),
    path("editions/<int:ordinal>/poltwt.ics", site.edition_ics, name="edition_ics"),
    path("editions/<int:ordinal>/share.png", site.share_image, name="share_image"),
    path("participants/", participants.participant_list, name="participant_list"),
    path("participants.csv", participants.participants_csv, name="participants_csv"),
    path("participants.json", participants.participants_json, name="participants_json"),
    path("participants.geojson", participants.participants_geojson, name="participants_geojson"),
    path("participants.map.json", participants.participants_map_feed, name="participants_map_feed"),
    path("participants/handles.txt", participants.participant_handles, name="participant_handles"),
    path("stats/", participants.statistics, name="statistics"),
    path("map/", participants.participant_map, name="map"),
    path("map/embed/", participants.participant_map_embed, name="map_embed"),
]
