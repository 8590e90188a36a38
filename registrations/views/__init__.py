"""Views of the registrations app: `signup` for registrants' pages, `public` for the map, list and exports."""
