"""The floor every package stands on: settings, clock, errors, logs, metrics, input hygiene
and the contact-detail detector. Imports nothing of the project's own."""
