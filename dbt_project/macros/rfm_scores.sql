{#- RFM scoring helpers. Scores run 1 (worst) to 5 (best). -#}

{% macro rfm_fm_score(f_score, m_score) -%}
    {#- The mean of the frequency and monetary scores, rounded half up: 1..5. -#}
    cast(floor(({{ f_score }} + {{ m_score }} + 1) / 2.0) as integer)
{%- endmacro %}


{% macro rfm_segment(r_score, fm_score) -%}
    {#- Named RFM segment from the recency score (R) and the FM score, after the common 5x5 R-by-FM
        grid (rows R, columns FM):

            R \ FM   1               2                    3                    4          5
            5        new             potential_loyalists  potential_loyalists  champions  champions
            4        promising       potential_loyalists  potential_loyalists  loyal      loyal
            3        about_to_sleep  about_to_sleep       need_attention       loyal      loyal
            2        hibernating     hibernating          at_risk              at_risk    cannot_lose
            1        lost            hibernating          at_risk              at_risk    cannot_lose
    -#}
    case
        when {{ r_score }} = 5 and {{ fm_score }} >= 4 then 'champions'
        when {{ r_score }} >= 3 and {{ fm_score }} >= 4 then 'loyal'
        when {{ r_score }} >= 4 and {{ fm_score }} >= 2 then 'potential_loyalists'
        when {{ r_score }} = 5 then 'new'
        when {{ r_score }} = 4 then 'promising'
        when {{ r_score }} = 3 and {{ fm_score }} = 3 then 'need_attention'
        when {{ r_score }} = 3 then 'about_to_sleep'
        when {{ fm_score }} = 5 then 'cannot_lose'
        when {{ fm_score }} >= 3 then 'at_risk'
        when {{ r_score }} = 1 and {{ fm_score }} = 1 then 'lost'
        else 'hibernating'
    end
{%- endmacro %}


{% macro rfm_segment_labels() -%}
    {#- Each segment name rfm_segment can return, in grid order, and the label people read
        (the report and BI tools show the label; filters and tests use the name). -#}
    {{ return({
        'champions': 'Champions',
        'loyal': 'Loyal',
        'potential_loyalists': 'Potential loyalists',
        'new': 'New',
        'promising': 'Promising',
        'need_attention': 'Need attention',
        'about_to_sleep': 'About to sleep',
        'at_risk': 'At risk',
        'cannot_lose': "Can't lose them",
        'hibernating': 'Hibernating',
        'lost': 'Lost',
    }) }}
{%- endmacro %}


{% macro rfm_segment_label(rfm_segment) -%}
    {#- The readable label of an RFM segment name (null for null). -#}
    case {{ rfm_segment }}
    {%- for name, label in rfm_segment_labels().items() %}
        when '{{ name }}' then '{{ label | replace("'", "''") }}'
    {%- endfor %}
    end
{%- endmacro %}
