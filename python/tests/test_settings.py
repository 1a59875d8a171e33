"""Reading [temporal_ecs_executor] and [aws_ecs_executor] from Airflow's configuration, team-scoped too."""

from __future__ import annotations

import pytest
from airflow.exceptions import AirflowConfigException
from airflow.executors.base_executor import ExecutorConf

from temporal_ecs_executor import TemporalEcsExecutor
from temporal_ecs_executor.settings import OPTIONS, SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    import os

    for name in list(os.environ):
        if "TEMPORAL_ECS_EXECUTOR__" in name or "AWS_ECS_EXECUTOR__" in name:
            monkeypatch.delenv(name)
    return monkeypatch


def test_defaults() -> None:
    settings = load_settings(ExecutorConf())
    assert (settings.address, settings.namespace, settings.task_queue, settings.executor_name) == ("localhost:7233", "default", "ecs-executor", "default")
    assert settings.sync_lag_seconds == 10 and settings.check_health_on_startup is True and settings.task_log_events is True
    assert settings.tls_enabled is False and settings.api_key is None


def test_airflow_variables_are_read(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("AIRFLOW__TEMPORAL_ECS_EXECUTOR__ADDRESS", "temporal.example.com:7233")
    clean_env.setenv("AIRFLOW__TEMPORAL_ECS_EXECUTOR__NAMESPACE", "prod")
    clean_env.setenv("AIRFLOW__TEMPORAL_ECS_EXECUTOR__TASK_QUEUE", "airflow-prod")
    clean_env.setenv("AIRFLOW__TEMPORAL_ECS_EXECUTOR__EXECUTOR_NAME", "scheduler-a")
    clean_env.setenv("AIRFLOW__TEMPORAL_ECS_EXECUTOR__SYNC_LAG_SECONDS", "2.5")
    clean_env.setenv("AIRFLOW__TEMPORAL_ECS_EXECUTOR__API_KEY", "secret-key")
    clean_env.setenv("AIRFLOW__AWS_ECS_EXECUTOR__CHECK_HEALTH_ON_STARTUP", "False")
    settings = load_settings(ExecutorConf())
    assert settings.address == "temporal.example.com:7233" and settings.namespace == "prod"
    assert settings.task_queue == "airflow-prod" and settings.executor_name == "scheduler-a"
    assert settings.sync_lag_seconds == 2.5 and settings.check_health_on_startup is False
    # An API key turns TLS on (as Temporal Cloud needs), and never shows in a repr.
    assert settings.tls_enabled is True and "secret-key" not in repr(settings)


def test_an_empty_value_counts_as_unset(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("AIRFLOW__TEMPORAL_ECS_EXECUTOR__TASK_QUEUE", "  ")
    assert load_settings(ExecutorConf()).task_queue == "ecs-executor"


def test_every_problem_is_reported_at_once_with_the_variable_and_the_value(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("AIRFLOW__TEMPORAL_ECS_EXECUTOR__ADDRESS", "http://temporal:7233")
    clean_env.setenv("AIRFLOW__TEMPORAL_ECS_EXECUTOR__SYNC_LAG_SECONDS", "soon")
    clean_env.setenv("AIRFLOW__TEMPORAL_ECS_EXECUTOR__EXECUTOR_NAME", "has spaces")
    clean_env.setenv("AIRFLOW__TEMPORAL_ECS_EXECUTOR__TLS", "maybe")
    clean_env.setenv("AIRFLOW__TEMPORAL_ECS_EXECUTOR__TLS_CLIENT_CERT_PATH", "/etc/cert.pem")
    with pytest.raises(SettingsError) as caught:
        load_settings(ExecutorConf())
    message = str(caught.value)
    assert len(caught.value.problems) == 5, message
    assert "AIRFLOW__TEMPORAL_ECS_EXECUTOR__ADDRESS" in message and "'http://temporal:7233'" in message and "host:port" in message
    assert "AIRFLOW__TEMPORAL_ECS_EXECUTOR__SYNC_LAG_SECONDS" in message and "'soon'" in message
    assert "tls_client_key_path" in message


def test_secrets_are_never_shown_in_a_problem(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("AIRFLOW__TEMPORAL_ECS_EXECUTOR__API_KEY", "very-secret")
    clean_env.setenv("AIRFLOW__TEMPORAL_ECS_EXECUTOR__TLS", "False")
    with pytest.raises(SettingsError) as caught:
        load_settings(ExecutorConf())
    assert "very-secret" not in str(caught.value) and "only sent over TLS" in str(caught.value)


def test_a_team_reads_its_own_values_and_not_the_global_ones(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("AIRFLOW__TEMPORAL_ECS_EXECUTOR__TASK_QUEUE", "global-queue")
    clean_env.setenv("AIRFLOW__TEAM_A___TEMPORAL_ECS_EXECUTOR__TASK_QUEUE", "team-a-queue")
    clean_env.setenv("AIRFLOW__TEAM_A___TEMPORAL_ECS_EXECUTOR__NAMESPACE", "team-a")
    clean_env.setenv("AIRFLOW__TEAM_A___AWS_ECS_EXECUTOR__CHECK_HEALTH_ON_STARTUP", "false")
    team = load_settings(ExecutorConf("team_a"), "team_a")
    assert (team.task_queue, team.namespace, team.check_health_on_startup) == ("team-a-queue", "team-a", False)
    # A team's executor is its own scope unless told otherwise: its sync never reports another team's tasks.
    assert team.executor_name == "team_a"
    assert load_settings(ExecutorConf()).task_queue == "global-queue"


def test_a_teams_problem_names_the_teams_variable(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("AIRFLOW__TEAM_A___TEMPORAL_ECS_EXECUTOR__SYNC_LAG_SECONDS", "-1")
    with pytest.raises(SettingsError) as caught:
        load_settings(ExecutorConf("team_a"), "team_a")
    assert "AIRFLOW__TEAM_A___TEMPORAL_ECS_EXECUTOR__SYNC_LAG_SECONDS" in str(caught.value) and "team 'team_a'" in str(caught.value)


def test_the_executor_reads_its_settings_through_its_team_scoped_conf(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("AIRFLOW__TEAM_B___TEMPORAL_ECS_EXECUTOR__TASK_QUEUE", "team-b-queue")
    executor = TemporalEcsExecutor(team_name="team_b")
    assert executor.supports_multi_team is True
    assert executor.settings.task_queue == "team-b-queue" and executor.settings.team_name == "team_b"
    assert TemporalEcsExecutor().settings.task_queue == "ecs-executor"


def test_the_executor_refuses_bad_settings_with_airflows_config_error(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("AIRFLOW__TEMPORAL_ECS_EXECUTOR__EXECUTOR_NAME", "a/b")
    with pytest.raises(AirflowConfigException, match="executor_name"):
        TemporalEcsExecutor()


def test_every_option_has_a_description_for_the_readme() -> None:
    assert all(option.description for option in OPTIONS)
    assert len({(o.section, o.key) for o in OPTIONS}) == len(OPTIONS)
