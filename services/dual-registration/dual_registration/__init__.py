"""dual-registration: units and in-service members register, claim posts and projects, log service and are evaluated."""
