"""Every test in civis-python 2.10.1's tests for APIClient, resources, Response, futures,
polling, retries and civis.io (its sdist's tests/), and what became of it here.

``SAME``: ported, and specclient behaves as civis-python does (the test named runs the
assertion). ``DIFFERENT``: ported, and specclient differs on purpose: the test asserts our
behaviour and docs/platforms/civis.md lists the difference with the phrase given.
``NOT_PORTED``: the test checks a private helper of civis-python with no user-visible
counterpart (docstring rendering, ``_ContainerFuture`` / executors of ``civis.parallel``...).
test_port_tally.py checks each entry and the totals docs/platforms/civis.md states.
"""

from __future__ import annotations

R, C, F = "test_response_compat.py", "test_client_compat.py", "test_futures_compat.py"
CACHE = "../test_civis_endpoints_cache.py"
PARITY = "../test_parity_signatures.py"

SAME: dict[str, str] = {
    # tests/test_response.py
    **{
        f"test_response.py::{name}": f"{R}::{name}"
        for name in (
            "test_pagination", "test_iterator_interface", "test_paginated_response_json",
            "test_response_to_no_content_snake", "test_convert_data_type_civis",
            "test_convert_data_type_civis_list", "test_parse_column_names",
            "test_response_is_immutable", "test_response_cross_compatibility",
            "test_response_keys_preserve_case", "test_json", "test_json_no_data",
            "test_json_preserve_original_dict", "test_len", "test_repr",
            "test_repr_with_empty_string_key", "test_pprint", "test_jsonvalue_as_run_output",
            "test_get", "test_items", "test_eq", "test_response_is_pickleable",
            "test_find_filter_with_kwargs",
        )
    },
    "test_response.py::test_jsonvalue_as_response": f"{R}::test_json_values_answers_keep_their_value",
    # tests/test_base.py
    "test_base.py::test_base_url_default": f"{C}::test_base_url_default",
    "test_base.py::test_base_url_from_env": f"{C}::test_base_url_from_env",
    "test_base.py::test_store_last_response": f"{C}::test_store_last_response",
    "test_base.py::test_array_params": f"{C}::test_array_params",
    # tests/test_client.py
    **{
        f"test_client.py::{name}": f"{C}::{name}"
        for name in (
            "test_feature_flags", "test_feature_flags_memoized", "test_get_table_id",
            "test_get_storage_host_id",
        )
    },
    # tests/test_resources.py
    **{
        f"test_resources.py::{name}": f"{C}::{name}"
        for name in (
            "test_create_method_iterator_kwarg", "test_create_method_no_iterator_kwarg",
            "test_iterable_method", "test_create_method_unexpected_kwargs",
            "test_create_method_too_many_pos_args", "test_create_method_multiple_values",
            "test_create_method_keyword_only", "test_create_method_deprecation_warning",
            "test_parse_api_spec_names",
        )
    },
    "test_resources.py::test_split_method_params":
        f"{PARITY}::test_required_parameters_are_positional_like_civis_python",
    "test_resources.py::test_parse_method_name":
        f"{PARITY}::test_every_civis_python_method_has_the_same_required_and_optional_parameters",
    "test_resources.py::test_parse_method_name_distinguish_legacy_or_not":
        f"{PARITY}::test_every_civis_python_method_has_the_same_required_and_optional_parameters",
    "test_resources.py::test_generate_classes_with_ttl_cache__base_case":
        f"{CACHE}::test_second_load_within_ttl_reads_the_disk_cache_not_the_service",
    "test_resources.py::test_generate_classes_with_ttl_cache__force_clear_cache":
        f"{CACHE}::test_force_refresh_fetches_even_when_fresh",
    "test_resources.py::test_generate_classes_with_ttl_cache__expire_cache":
        f"{CACHE}::test_expired_cache_is_fetched_again",
    # tests/test_futures.py (CivisFuture)
    **{
        f"test_futures.py::{name}": f"{F}::{name}"
        for name in (
            "test_poller_call_count_poll_on_creation_true",
            "test_poller_call_count_poll_on_creation_false", "test_set_api_result_succeeded",
            "test_set_api_result_failed", "test_outputs_succeeded", "test_polling_interval",
            "test_future_job_id_run_id", "test_container_exception_no_result_logs",
            "test_container_exception_memory_error", "test_civis_future_cancel_succeeded",
            "test_civis_future_cancel_already_cancelled", "test_civis_future_cancel_finished_job",
            "test_civis_future_cancel_unexpected_error",
            "test_civis_future_max_retries_requires_run_id",
            "test_civis_future_max_retries_negative", "test_civis_future_no_retry_error",
            "test_civis_future_no_retry_failure", "test_civis_future_not_enough_retry_error",
            "test_civis_future_not_enough_retry_failure", "test_civis_future_retry_failure",
        )
    },
    # tests/test_polling.py
    **{
        f"test_polling.py::{name}": f"{F}::{name}"
        for name in (
            "test_as_completed", "test_wait", "test_error_passthrough", "test_error_setting",
            "test_timeout", "test_poller_returns_none",
        )
    },
    # tests/test_retries.py
    **{
        f"test_retries.py::{name}": f"{C}::{name}"
        for name in (
            "test_no_retry_on_success", "test_no_retry_on_get_no_retry_failure",
            "test_retry_on_retry_eligible_failures", "test_no_retry_on_post_success",
            "test_retry_on_retry_eligible_post_failures",
            "test_retry_respect_retry_after_headers", "test_no_recursion_in_retry_request",
        )
    },
    "test_camel_to_snake.py::test_camel_to_snake": f"{C}::test_camel_to_snake",
}  # fmt: skip

# tests/test_io.py (civis.io), test by test
IO, IOF, IOT = "test_io_ported.py", "test_io_ported_files.py", "test_io_ported_tables.py"
SAME.update({
    **{
        f"test_io.py::{name}": f"{IOF}::{name}"
        for name in (
            "test_bytes_file_to_civis", "test_zip_member_to_civis", "test_text_file_to_civis",
            "test_large_file_to_civis", "test_civis_to_file", "test_file_id_from_run_output_exact",
            "test_file_id_from_run_output_approximate",
            "test_file_id_from_run_output_approximate_multiple",
            "test_file_id_from_run_output_no_file", "test_file_id_from_run_output_no_run",
            "test_file_id_from_run_output_platform_error",
            "test_file_id_from_run_output_no_filename", "test_file_to_dataframe_expired",
            "test_file_to_dataframe_infer", "test_file_to_dataframe_infer_gzip",
            "test_file_to_dataframe_kwargs", "test_file_to_dataframe_polars", "test_load_json",
            "test_civis_to_file_local", "test_civis_to_file_retries",
            "test_file_single_upload_retries", "test_file_multipart_upload_retries",
            "test_file_multipart_upload_part_failure_raises",
            "test_file_multipart_upload_connection_error_omits_presigned_url",
            "test_get_aws_error_message_omits_presigned_url_signature",
            "test_get_aws_error_message_omits_unparseable_body", "test_file_to_civis",
            "test_file_to_civis_error_for_description_too_long",
            "test_file_description_attribute_added_or_not", "test_type_path_like",
        )
    },
    **{
        f"test_io.py::{name}": f"{IOT}::{name}"
        for name in (
            "test_csv_to_civis", "test_civis_file_to_table_table_doesnt_exist",
            "test_civis_file_to_table_table_doesnt_exist_all_sql_types_missing",
            "test_civis_file_to_table_table_does_not_exist_some_sql_types_missing",
            "test_civis_file_to_table_table_columns_keys_misspelled",
            "test_process_cleaning_results_raises_imports", "test_run_cleaning",
            "test_check_column_types_passing", "test_civis_to_csv_propagates_download_exception",
            "test_civis_to_csv_download_success", "test_read_civis_sql_no_dataframe",
            "test_read_civis_sql_polars", "test_warns_or_raise_exception_for_deprecated_use_pandas",
            "test_maybe_random_name_random",
        )
    },
    # civis-python's private helpers whose behaviour a test of the helper's caller asserts
    "test_io.py::test_process_cleaning_results":
        f"{IOT}::test_civis_file_to_table_table_doesnt_exist",
    "test_io.py::test_download_file": f"{IOT}::test_civis_to_csv_download_success",
    "test_io.py::test_check_detected_info_matching":
        f"{IO}::test_check_column_types_coerce_to_varchar_and_multi_file",
    "test_io.py::test_maybe_random_name_not_random":
        f"{IO}::test_sql_script_and_export_to_civis_file",
    # ported before (test_io_ported.py)
    **{
        f"test_io.py::{name}": f"{IO}::{name}"
        for name in (
            "test_split_schema_tablename", "test_split_schema_tablename_raises",
            "test_get_sql_select", "test_check_column_types_differing_numbers",
            "test_check_column_types_differing_types", "test_check_detected_info_raises",
            "test_civis_file_to_table_table_exists", "test_transfer_table",
        )
    },
    "test_io.py::test_sql_script": f"{IO}::test_sql_script_and_export_to_civis_file",
    "test_io.py::test_export_to_civis_file": f"{IO}::test_sql_script_and_export_to_civis_file",
    "test_io.py::test_read_civis_sql_no_dataframe_special_encoding_sad_path":
        f"{IO}::test_read_civis_sql_no_dataframe_special_encoding",
    "test_io.py::test_read_civis_sql_no_dataframe_special_encoding_happy_path":
        f"{IO}::test_read_civis_sql_no_dataframe_special_encoding",
    "test_io.py::test_check_column_types_coerce_to_varchar":
        f"{IO}::test_check_column_types_coerce_to_varchar_and_multi_file",
    "test_io.py::test_civis_file_to_table_multi_file":
        f"{IO}::test_check_column_types_coerce_to_varchar_and_multi_file",
    "test_io.py::test_civis_file_to_table_table_doesnt_exist_provide_table_columns":
        f"{IO}::test_civis_file_to_table_provide_table_columns",
    "test_io.py::test_civis_to_multifile_passes_client":
        f"{IO}::test_civis_to_multifile_passes_client_and_reads_the_manifest",
})  # fmt: skip

#: civis-python test -> (our test, the phrase docs/platforms/civis.md or civis-io.md lists it
#: under)
DIFFERENT: dict[str, tuple[str, str]] = {
    "test_response.py::test_response_to_json_parsing_error": (
        f"{R}::test_response_to_json_parsing_error", "a success reply that is not JSON"),
    "test_response.py::test_convert_data_type_raw_unparsed": (
        f"{R}::test_convert_data_type_raw_unparsed", "`return_type=\"raw\"` answers"),
    "test_response.py::test_rate_limit": (f"{R}::test_rate_limit", "`headers` is always"),
    "test_base.py::test_civis_api_error_empty_response": (
        f"{C}::test_civis_api_error_empty_response", "an error reply that is not JSON"),
    "test_resources.py::test_expired_api_key": (
        f"{C}::test_expired_api_key", "a refused key while fetching the spec"),
    "test_resources.py::test_generate_classes_maybe_cached": (
        f"{C}::test_generate_classes_maybe_cached", "`local_api_spec=` takes any mapping"),
    "test_futures.py::test_civis_future_retry_error": (
        f"{F}::test_civis_future_retry_error", "a poll that fails never starts a new run"),
    "test_polling.py::test_poll_on_creation": (
        f"{F}::test_poll_on_creation", "polls in the thread that waits"),
    "test_polling.py::test_geometric_polling": (
        f"{F}::test_geometric_polling", "back-off grows by 1.5x"),
    "test_retries.py::test_no_retry_on_connection_error": (
        f"{C}::test_no_retry_on_connection_error", "a connection error is retried"),
    "test_io.py::test_dataframe_to_civis_pandas": (
        f"{IO}::test_dataframe_to_civis_pandas_passes_to_csv_options",
        "`dataframe_to_civis` skips the preprocessing jobs"),
    "test_io.py::test_dataframe_to_civis_polars": (
        f"{IOT}::test_dataframe_to_civis_polars",
        "`dataframe_to_civis` skips the preprocessing jobs"),
    "test_io.py::test_read_civis_sql_pandas": (
        f"{IOT}::test_read_civis_sql_pandas", "Honest types"),
}  # fmt: skip

#: civis-python test -> why it has no counterpart here
NOT_PORTED: dict[str, str] = {
    "test_response.py::test_response_to_json_no_error": "private _response_to_json",
    "test_response.py::test_convert_data_type_raw_parsed": "private convert_response_data_type",
    "test_base.py::test_endpoint_base_url": "private Endpoint._base_url (see test_base_url_*)",
    **{
        f"test_resources.py::{name}": "private docstring / spec-parsing helper"
        for name in (
            "test_exclude_resource", "test_property_type", "test_name_and_type_doc",
            "test_docs_from_property", "test_docs_from_properties", "test_deprecated_notice",
            "test_deprecated_notice_handles_none", "test_doc_from_responses",
            "test_type_from_param", "test_parse_param", "test_parse_params",
            "test_parse_param_body", "test_duplicate_names_generated_from_api_spec",
            "test_snake_to_camel",
        )
    },
    "test_resources.py::test_client_pyi_matches_api_spec": "civis-python's build check "
    "(ours: python -m codegen --check)",
    **{
        f"test_futures.py::{name}": "private pub/sub message check"
        for name in (
            "test_check_message", "test_check_message_with_different_run_id",
            "test_check_message_when_job_is_running",
        )
    },
    **{
        f"test_futures.py::{name}": "civis.parallel's private _ContainerFuture / executors"
        for name in (
            "test_container_future_job_id_run_id", "test_container_scripts",
            "test_custom_scripts", "test_container_script_param_injection",
            "test_create_docker_command", "test_cancel_finished_job",
            "test_future_no_retry_error", "test_future_no_retry_failure",
            "test_future_not_enough_retry_error", "test_future_not_enough_retry_failure",
            "test_future_retry_failure", "test_future_retry_error",
        )
    },
    "test_polling.py::test_reset_polling_thread": "private _reset_polling_thread",
    "test_retries.py::test_retry_on_retry_eligible_failures_lowercase_verbs": "the verb comes "
    "from the spec, never from the caller",
}  # fmt: skip

#: issue 13's "Differences found" (civis parts; the files resource is civis.io's): each
#: difference -> the test asserting how it now reads (paths relative to compat/)
CA, FU, FE = "test_calls_compat.py", "../test_civis_futures.py", "../test_civis_futures_emulated.py"
ISSUE_13: dict[str, str] = {
    "Response: json_data": f"{R}::test_json_data_is_the_payload_as_sent",
    "Response: calls_remaining, rate_limit": f"{R}::test_rate_limit_headers_read_as_numbers",
    "Response: camelCase attribute access": f"{R}::test_response_cross_compatibility",
    "Response: user data under arguments / environmentVariables": f"{R}::test_response_keys_preserve_case",
    "Response: user data, hyphens": f"{R}::test_user_data_under_arguments_keeps_its_keys",
    "Response: json_values answers": f"{CA}::test_json_values_answers_keep_the_users_json",
    "Response: JSONValue run outputs": f"{R}::test_a_json_value_output_keeps_its_value_as_sent",
    "Response: json(snake_case=False) is a copy": f"{R}::test_json_is_a_copy_the_caller_may_edit",
    "Response: hashable": f"{R}::test_responses_are_hashable_and_equal_ones_hash_alike",
    "Response: list items carry headers": f"{R}::test_list_items_carry_the_lists_headers",
    "Response: paginated items carry headers": f"{R}::test_paginated_items_carry_their_pages_headers",
    "Response: pretty-printed over lines": f"{R}::test_pprint",
    "Response: immutability error type": f"{R}::test_our_immutability_error_is_civis_pythons_class_too",
    "Calls: iterator=True has .json()": f"{CA}::test_iterator_true_answers_a_paginated_response_with_json",
    "Calls: client.last_response": f"{CA}::test_last_response_is_the_latest_answer",
    "Calls: TypeError texts": f"{CA}::test_argument_errors_read_as_civis_pythons",
    "Errors: CivisAPIError shape and str()": f"{CA}::test_a_404_reads_as_civis_pythons_error",
    "Errors: CivisAPIKeyError": f"{CA}::test_a_refused_key_is_civis_pythons_key_error",
    "Errors: caught by civis-python's except clause": f"{CA}::test_civis_pythons_except_clause_catches_our_errors",
    "APIClient: 2.10.1's positional order": f"{CA}::test_api_client_takes_civis_python_2_10_positional_order",
    "APIClient: return_type='pandas' extension": f"{CA}::test_return_type_pandas_is_an_extension",
    "Retries: POST on 503": f"{CA}::test_a_post_answered_503_is_sent_again",
    "Retries: 10 attempts": f"{CA}::test_ten_attempts_as_civis_python",
    "Retries: Retry-After over 300 s": f"{CA}::test_a_retry_after_over_300_s_is_waited_as_civis_python",
    "Futures: concurrent.futures wait / as_completed": f"{FE}::test_wait_returns_when_every_run_has_ended",
    "Futures: a poll at construction": f"{F}::test_poller_call_count_poll_on_creation_true",
    "Futures: job_url / job_run_url": f"{F}::test_future_job_id_run_id",
    "Futures: CivisJobFailure message and fields": f"{FU}::test_failed_run_raises_civis_job_failure_with_its_error",
    "Futures: cancel() warns on a 500": f"{F}::test_civis_future_cancel_unexpected_error",
    "Futures: callback errors not swallowed": f"{FU}::test_a_callback_error_is_raised_by_result_as_in_civis_python",
    "Futures: poll errors retried": f"{FE}::test_a_poll_answered_500_is_polled_again",
    "Wire: foo[] array queries": f"{CA}::test_array_query_parameters_go_as_civis_python_sends_them",
    "Wire: booleans": f"{CA}::test_booleans_go_as_json_spells_them",
    "Wire: snake_case body keys accepted by the emulator": f"{CA}::test_civis_pythons_snake_case_body_keys_are_accepted_by_the_emulator",
    "Wire: User-Agent": f"{CA}::test_every_request_names_specclient_as_user_agent",
}  # fmt: skip
