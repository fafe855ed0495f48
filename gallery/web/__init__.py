"""The request layer both sides share: headers, error pages, languages, template helpers,
rate limits and the small HTTP helpers views use. Only views and this package read
Flask's request; the domain below never does."""
