"""The job engine: clock, job states, scheduling, dependencies, arrays, retries and timeouts."""
