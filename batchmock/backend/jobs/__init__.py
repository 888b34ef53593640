"""The jobs' API face: SubmitJob, DescribeJobs, ListJobs, TerminateJob/CancelJob and the job
definitions they run."""
