from conftest_docker import docker_executor, hardening_client, hostile_pool  # noqa: F401  (session fixtures)
