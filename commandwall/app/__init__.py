"""The application layer (no Qt, no ``commandwall.demo``): the client session, the stores, PTZ and one
controller per feature (map, wall, incidents, cameras) holding the rules the widgets only render.

Backend and video threads write into the stores; the Qt adapters in ``commandwall/ui/`` subscribe, queue the
changes to the GUI thread, and send the user's intent back as calls on the controllers.
"""
