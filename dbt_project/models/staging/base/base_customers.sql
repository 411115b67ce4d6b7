-- Every raw customers row once, cleaned, with the bucket it falls in (clean, duplicate,
-- quarantined, excluded_test) and, when quarantined, one reason. A table so that stg_customers and
-- quarantine_customers read the raw file once.
{{ config(materialized='table') }}

{%- set raw_columns = [
    'customer_id', 'name', 'email', 'phone', 'gender', 'date_of_birth', 'city',
    'signup_date', 'loyalty_tier', 'updated_at',
] %}
{#- marketing_consent is optional: null when the raw files do not have it. #}
{%- set raw_columns_prefixed = raw_column_names(raw_columns + ['marketing_consent']) %}
{%- set raw_key = raw_columns_prefixed | join(', ') %}
{#- Compared as text, not a LIKE pattern: a _ or % in the domain is no wildcard. #}
{%- set test_email_suffix = '@' ~ (var('test_account_email_domain') | string | trim | lower) %}

with source as (
    select * from {{ source('raw', 'customers') }}
),

raw_text as (
    select
        {{ raw_text_columns(raw_columns) }},
        {{ optional_raw_text('source', 'marketing_consent') }} as raw_marketing_consent
    from source
),

cleaned as (
    select
        *,
        {{ clean_text('raw_customer_id') }} as customer_id,
        {{ collapse_whitespace(clean_text('raw_name')) }} as customer_name,
        lower({{ clean_text('raw_email') }}) as email,
        {{ clean_text('raw_phone') }} as phone,
        lower({{ clean_text('raw_gender') }}) as gender_text,
        {{ clean_text('raw_date_of_birth') }} as date_of_birth_text,
        {{ parse_timestamp(clean_text('raw_date_of_birth')) }} as date_of_birth_ts,
        coalesce(
            {{ collapse_whitespace(clean_text('raw_city')) }}, 'unknown'
        ) as city,
        {{ clean_text('raw_signup_date') }} as signup_date_text,
        {{ parse_timestamp(clean_text('raw_signup_date')) }} as signup_date_ts,
        coalesce(
            lower({{ clean_text('raw_loyalty_tier') }}),
            '{{ "none" if raw_data_has("loyalty_tier") else "unknown" }}'
        ) as loyalty_tier,
        {{ parse_consent(clean_text('raw_marketing_consent')) }} as marketing_consent,
        {{ clean_text('raw_updated_at') }} as updated_at_text,
        {{ parse_timestamp(clean_text('raw_updated_at')) }} as updated_at
    from raw_text
),

standardised as (
    select
        *,
        case
            when gender_text in ('f', 'female', 'woman', 'w') then 'female'
            when gender_text in ('m', 'male', 'man') then 'male'
            when gender_text in ('o', 'other', 'non-binary', 'nonbinary', 'x') then 'other'
            else 'unknown'
        end as gender,
        cast(date_of_birth_ts as date) as date_of_birth,
        cast(signup_date_ts as date) as signup_date,
        coalesce(
            {{ dbt.right('email', test_email_suffix | length) }} = {{ quoted_literal(test_email_suffix) }},
            false
        ) as has_test_email
    from cleaned
),

versions as (
    -- Versions of one customer, latest updated_at first (ties broken by the raw values, so exact
    -- copies sit together). A customer is a test account if any version has a test email.
    select
        *,
        {{ record_versions('customer_id', raw_key, 'has_test_email') }}
    from standardised
),

quality as (
    select
        *,
        version_number > copy_rank as is_exact_copy,
        case
            when customer_id is null then 'missing customer_id'
            when updated_at_text is not null and updated_at is null
                then 'unparseable updated_at'
            when date_of_birth_text is not null and date_of_birth_ts is null
                then 'unparseable date_of_birth'
            when signup_date_text is not null and signup_date_ts is null
                then 'unparseable signup_date'
            {% if raw_data_has('loyalty_tier') -%}
                when loyalty_tier not in ('none', 'silver', 'gold', 'platinum')
                    then 'invalid loyalty_tier'
            {%- endif %}
        end as quality_issue
    from versions
),

classified as (
    select
        *,
        case
            when
                case
                    when customer_id is null then has_test_email
                    else any_version_has_test_email
                end
                then 'excluded_test'
            when is_exact_copy then 'duplicate'
            when customer_id is null then 'quarantined'
            when version_number > 1 then 'duplicate'
            when quality_issue is not null then 'quarantined'
            else 'clean'
        end as row_bucket
    from quality
),

final as (
    select
        {{- raw_text_unless_clean(raw_columns_prefixed) }}
        customer_id,
        customer_name,
        email,
        phone,
        gender,
        date_of_birth,
        city,
        signup_date,
        loyalty_tier,
        marketing_consent,
        updated_at,
        row_bucket,
        case when row_bucket = 'quarantined' then quality_issue end as reason
    from classified
)

select * from final
