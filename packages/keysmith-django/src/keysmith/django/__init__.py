"""keysmith's Django integration: settings, ORM store, middleware, decorators, checks, audit."""
