"""``manage.py check --deploy``: a Redis cache without a memory limit grows until the machine runs out.

Pages and data are cached under their public data version; what a change supersedes is never read again
and only leaves when it expires. Redis bounded by ``maxmemory`` with ``allkeys-lru`` drops the least
recently used entries first instead (README, Production deployment).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import caches
from django.core.checks import Tags, Warning, register

logger = logging.getLogger(__name__)
REDIS_BACKEND = "django.core.cache.backends.redis.RedisCache"


@register(Tags.caches, deploy=True)
def redis_has_a_memory_limit(app_configs=None, **kwargs) -> list[Warning]:
    warnings = []
    for alias, config in settings.CACHES.items():
        if config.get("BACKEND") != REDIS_BACKEND:
            continue
        try:
            client = caches[alias]._cache.get_client(write=False)
            limit = int(client.config_get("maxmemory").get("maxmemory", 0))
            policy = client.config_get("maxmemory-policy").get("maxmemory-policy", "")
        except Exception as exc:  # unreachable now, or CONFIG disabled (managed Redis): not this check's call
            logger.info("Could not read the maxmemory of cache %r: %s", alias, exc)
            continue
        # "noeviction" refuses writes at the limit: the site would fail instead of forgetting old pages.
        if limit == 0 or policy == "noeviction":
            warnings.append(
                Warning(
                    f"The Redis of cache {alias!r} has maxmemory {limit} and maxmemory-policy {policy!r}.",
                    hint="Set maxmemory (e.g. 512mb) and maxmemory-policy allkeys-lru in redis.conf, so that "
                    "superseded pages and data leave before memory runs out.",
                    id="pages.W001",
                )
            )
    return warnings
