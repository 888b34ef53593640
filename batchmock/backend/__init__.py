"""The resource layer: Batch's API operations on the stores of one account and region.

``registry`` makes one :class:`~batchmock.backend.core.backend.BatchBackend` per account and
region; ``operations`` joins every family's ``OPERATIONS`` table. The families:

- ``control_plane``: compute environments (and their compute resources), job queues, scheduling
  policies, consumable resources, tags, and the CREATING/UPDATING/DELETING settling they share;
- ``jobs``: the jobs' API face (SubmitJob, DescribeJobs, ListJobs, ...) and job definitions;
- ``service_jobs``: service environments, service jobs and quota shares;
- ``core``: the plumbing every family uses: the backend's stores, ARNs, input checks, pagination.
"""
