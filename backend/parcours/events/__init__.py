"""Marketing events: webinars and in-person events, registrations, waitlist, check-in, budget."""
