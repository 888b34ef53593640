"""Service jobs: service environments, service jobs and quota shares."""
