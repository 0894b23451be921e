"""The validator's components: the queue and the review screen."""
