"""Control-plane resources: compute environments, job queues, scheduling policies, consumable
resources, tags, and the CREATING/UPDATING/DELETING settling they share."""
