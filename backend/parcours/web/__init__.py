"""Pages the public sees (event registration, cancel links, unsubscribe, preferences), rendered
from the Jinja templates beside this file in the visitor's language (see render.py)."""
