"""The wire protocol: Batch's REST-JSON requests and responses, driven by botocore's model."""
