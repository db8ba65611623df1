"""`regwatch demo`: a bundled sample corpus served on 127.0.0.1 and the real flow run against it."""
