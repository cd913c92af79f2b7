from pydantic import Field

from yizhou.settings import ServiceSettings, own_url_field


class Settings(ServiceSettings):
    service_name = "org-registry"
    own_database_url: str | None = own_url_field("ORG_REGISTRY_DATABASE_URL")

    # Uploaded sheets are parsed in worker processes (org_registry.upload_worker) within these limits.
    upload_parse_timeout_s: float = Field(default=10.0, gt=0, validation_alias="UPLOAD_PARSE_TIMEOUT_S")
    upload_parse_memory_mib: int = Field(default=1024, ge=256, validation_alias="UPLOAD_PARSE_MEMORY_MIB")
    upload_max_rows: int = Field(default=50_000, ge=1, validation_alias="UPLOAD_MAX_ROWS")
    upload_parse_workers: int = Field(default=2, ge=1, validation_alias="UPLOAD_PARSE_WORKERS")
