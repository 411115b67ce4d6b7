-- Every published segment meets every threshold of the segment_definitions row that named it
-- (or gave its descriptive name its action): a column min_<metric> means the segment's evidence
-- metric is at least the value, max_<metric> at most. Rows returned are the broken conditions.
{%- set broken = ['definition_rule is null'] %}
{%- for column in segment_threshold_columns() %}
    {%- set operator = '>=' if column[:4] == 'min_' else '<=' %}
    {%- do broken.append(
        'not coalesce(' ~ column[4:] ~ ' ' ~ operator ~ ' ' ~ column ~ ', ' ~ column ~ ' is null)') %}
{%- endfor %}

with

segment_profiles as (
    select * from {{ ref('segment_profiles') }}
),

segment_definitions as (
    select * from {{ ref('segment_definitions') }}
),

named_segments as (
    select
        segment_profiles.*,
        {%- for column in segment_threshold_columns() %}
            segment_definitions.{{ column }},
        {%- endfor %}
        segment_definitions.naming_rule as definition_rule
    from segment_profiles
    left join segment_definitions
        on segment_profiles.naming_rule = segment_definitions.naming_rule
),

final as (
    select
        segment_id,
        segment_name,
        naming_rule
    from named_segments
    where {{ broken | join('\n        or ') }}
)

select * from final
