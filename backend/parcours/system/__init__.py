"""What the system is doing, for administrators: workers, queues, the stream, failures, storage."""
