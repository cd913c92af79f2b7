"""The platform's tooling around the runtime library (`yizhou`): the operator CLI (`yizhou ...`), the
launcher of the four service processes, the embedded broker, the demo district, the event catalogue
and schema tools, and the test fixtures. The runtime library never imports it; it finds a service's
own commands through the `yizhou.commands` entry points."""
