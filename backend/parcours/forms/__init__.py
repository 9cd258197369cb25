"""Forms: a marketer's definition (draft, published versions), the hosted page, submissions."""
