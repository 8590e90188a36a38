"""Static files storage: whitenoise's compressed, hashed files, tolerant of missing source maps."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Like whitenoise's, but source-map comments are left alone instead of being rewritten.

    XStatic-Leaflet-MarkerCluster ships leaflet.markercluster.js with a `sourceMappingURL` comment but
    without the map file, which makes collectstatic fail. Source maps only serve browser developer tools,
    so their references need no hashed name; every other reference (CSS url(), imports) is still hashed
    and checked.
    """

    patterns = tuple(
        (extension, tuple(p for p in rules if "sourceMappingURL" not in str(p)))
        for extension, rules in CompressedManifestStaticFilesStorage.patterns
    )
