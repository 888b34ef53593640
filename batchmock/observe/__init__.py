"""Read-only views of a mock for people: the dashboard's data, timelines, failure reports.

Everything here reads state through the paths ``GET /_batchmock/state`` uses (the backends'
stores, the engine's lookups, the API views of ``backend/jobs/job_views.py``) under the mock's
lock, and never changes anything.
"""

from __future__ import annotations
