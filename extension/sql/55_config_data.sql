-- Shipped configuration: Saitama (periods 1-4), Tokyo (periods 1-4), JVETS.
-- Figures: SPEC §1.2-1.8 and the Saitama briefing (令和5年度 事業者説明会).

INSERT INTO tsetp.programme (code, name, name_ja, credit_origin, coverage_kl, coverage_years,
        historical_base_years, base_average_years, new_base_lookback_years,
        revision_threshold, reduction_cap, penalty_factor, transitional_from,
        excess_from_year, banking_periods) VALUES
    ('saitama', 'Saitama Target-Setting Emissions Trading Program', '埼玉県目標設定型排出量取引制度', 'SAI',
        1500, 3, 'FY2002-FY2007', 3, 4, 0.06, 0.5, NULL, 'FY2012', 2, 1),
    ('tokyo', 'Tokyo Cap-and-Trade Program', '東京都総量削減義務と排出量取引制度', 'TKY',
        1500, 3, 'FY2002-FY2007', 3, 4, 0.06, 0.5, 1.3, NULL, 2, 1),
    ('jvets', 'Japan''s Voluntary Emissions Trading Scheme', '自主参加型国内排出量取引制度', 'JV',
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0);
-- Saitama: existing facilities used 1,500 kL or more in each of FY2006-FY2010.
UPDATE tsetp.programme SET existing_use_years = 'FY2006-FY2010' WHERE code = 'saitama';

INSERT INTO tsetp.plan_period (programme, period_no, years, deadline) VALUES
    ('saitama', 1, 'FY2011-FY2014', '2016-09-30'),
    ('saitama', 2, 'FY2015-FY2019', '2021-09-30'),
    ('saitama', 3, 'FY2020-FY2024', '2026-09-30'),
    ('saitama', 4, 'FY2025-FY2029', '2031-09-30'),
    ('tokyo', 1, 'FY2010-FY2014', '2016-09-30'),
    ('tokyo', 2, 'FY2015-FY2019', '2021-09-30'),
    ('tokyo', 3, 'FY2020-FY2024', '2026-09-30'),
    ('tokyo', 4, 'FY2025-FY2029', '2031-09-30');

INSERT INTO tsetp.category (programme, code, name, name_ja) VALUES
    ('saitama', '1-1', 'Offices, commercial and education buildings', '第1区分① オフィスビル・商業施設・教育施設など'),
    ('saitama', '1-2', 'Category 1-1 buildings using at least 20% heat supplied from outside', '第1区分② 事業所外から供給された熱が2割以上'),
    ('saitama', '2', 'Factories, waste and water works', '第2区分 工場・廃棄物施設・上下水道施設など'),
    ('tokyo', 'I-1', 'Offices and commercial buildings', '第一区分事業所（区分I-1）'),
    ('tokyo', 'I-2', 'Offices and commercial buildings relying heavily on district heating', '第一区分事業所（区分I-2）'),
    ('tokyo', 'II', 'Factories and other facilities', '第二区分事業所');

INSERT INTO tsetp.target_rate (programme, period_no, category, rate)
SELECT v.programme, v.period_no, c.category, CASE c.ord WHEN 1 THEN v.rate_1 ELSE v.rate_2 END
  FROM (VALUES ('saitama', 1, 0.08, 0.06), ('saitama', 2, 0.15, 0.13),
               ('saitama', 3, 0.22, 0.20), ('saitama', 4, 0.50, 0.48),
               ('tokyo', 1, 0.08, 0.06), ('tokyo', 2, 0.17, 0.15),
               ('tokyo', 3, 0.27, 0.25), ('tokyo', 4, 0.50, 0.48))
       AS v(programme, period_no, rate_1, rate_2)
  JOIN (VALUES ('saitama', '1-1', 1), ('saitama', '1-2', 2), ('saitama', '2', 2),
               ('tokyo', 'I-1', 1), ('tokyo', 'I-2', 2), ('tokyo', 'II', 2))
       AS c(programme, category, ord) USING (programme);

-- Saitama's ladder: a facility covered from FY2012 on is assessed at period
-- 1's rate in its 1st-4th year of coverage and at period 2's in its 5th-9th,
-- whichever period the year falls in; from the 10th year at the standard
-- rate. Period 4's own transitional values are added as rows when published.
INSERT INTO tsetp.transitional_rate (programme, period_no, category, first_n, last_n, rate)
SELECT 'saitama', p.period_no, r.category, l.first_n, l.last_n, r.rate
  FROM (VALUES (1), (2), (3)) AS p(period_no)
  JOIN (VALUES (1, 4, 1), (5, 9, 2)) AS l(first_n, last_n, rate_period) ON l.rate_period <= p.period_no
  JOIN tsetp.target_rate r ON r.programme = 'saitama' AND r.period_no = l.rate_period;

INSERT INTO tsetp.certification_kind (code, name, name_ja) VALUES
    ('sme', 'Facility of a small or medium enterprise', '中小企業が設置する事業所'),
    ('medical', 'Medical facility', '医療施設'),
    ('near_top', 'Near-top-level facility', '準トップレベル事業所'),
    ('top', 'Top-level facility', 'トップレベル事業所');

INSERT INTO tsetp.relief (programme, period_no, kind, operation, value, standard_only) VALUES
    ('saitama', 3, 'sme', 'multiply', 0.75, true),
    ('saitama', 3, 'medical', 'subtract', 0.02, true),
    ('saitama', 4, 'sme', 'subtract', 0.04, true),
    ('saitama', 4, 'medical', 'subtract', 0.02, true);
INSERT INTO tsetp.relief (programme, period_no, kind, operation, value, standard_only)
SELECT p.programme, p.period_no, k.kind, 'multiply', k.value, false
  FROM tsetp.plan_period p
 CROSS JOIN (VALUES ('near_top', 0.75), ('top', 0.5)) AS k(kind, value);

INSERT INTO tsetp.revision_ground (programme, code, admissible, explanation)
SELECT p.code, g.code, g.admissible, g.explanation
  FROM tsetp.programme p
 CROSS JOIN (VALUES
    ('floor_area', true, 'Floor area was added or removed (床面積の増減).'),
    ('use', true, 'The use of the facility changed to another use category (用途の変更).'),
    ('equipment', true, 'Equipment that changes the amount, kind or nature of activity was added or removed (設備の増減).'),
    ('heat_customers', true, 'The floor area of the heat supplier''s customers changed (熱供給先事業所の床面積の増減).'),
    ('operating_hours', false, 'Changes in operating or opening hours without a change of building or equipment are never grounds for revision (営業時間や工場稼働時間の変更は対象外).'),
    ('production', false, 'Changes in production or activity without a change of building or equipment are never grounds for revision (生産活動等の変化は対象外).'),
    ('weather', false, 'Weather and other external factors are never grounds for revision (気候などの外的要因は対象外).'))
    AS g(code, admissible, explanation)
 WHERE p.revision_threshold IS NOT NULL;

INSERT INTO tsetp.standard_intensity (programme, use, name_ja, t_per_m2) VALUES
    ('saitama', 'commercial', '商業施設', 0.160);

INSERT INTO tsetp.credit_kind (programme, code, name, name_ja, transferable, own_facility_only,
                               cap_numerator, cap_denominator, excess_reduction) VALUES
    ('saitama', 'ER', 'Excess reduction', '超過削減量', true, false, NULL, NULL, true),
    ('saitama', 'OG', 'Other-gas reduction', 'その他ガス削減量', false, true, NULL, NULL, false),
    ('saitama', 'SME', 'In-prefecture small and medium credit', '県内中小クレジット', true, false, NULL, NULL, false),
    ('saitama', 'OUT', 'Out-of-prefecture credit', '県外クレジット', true, false, 1, 3, false),
    ('saitama', 'RE', 'Renewable energy credit', '再エネクレジット', true, false, NULL, NULL, false),
    ('saitama', 'FOR', 'Forest absorption credit', '森林吸収クレジット', true, false, NULL, NULL, false),
    ('saitama', 'TKY', 'Tokyo-linked credit', '東京連携クレジット', true, false, NULL, NULL, false),
    ('tokyo', 'ER', 'Excess reduction', '超過削減量', true, false, NULL, NULL, true),
    ('tokyo', 'OG', 'Other-gas reduction', 'その他ガス削減量', false, true, NULL, NULL, false),
    ('tokyo', 'SME', 'In-Tokyo small and medium credit', '都内中小クレジット', true, false, NULL, NULL, false),
    ('tokyo', 'OUT', 'Out-of-Tokyo credit', '都外クレジット', true, false, 1, 3, false),
    ('tokyo', 'RE', 'Renewable energy credit', '再エネクレジット', true, false, NULL, NULL, false),
    ('tokyo', 'SAI', 'Saitama-linked credit', '埼玉連携クレジット', true, false, NULL, NULL, false),
    ('jvets', 'JPA', 'Japan allowance', '排出枠（JPA）', true, false, NULL, NULL, false),
    ('jvets', 'CER', 'Certified emission reduction', 'CER', true, false, NULL, NULL, false),
    ('jvets', 'jCER', 'Japan certified emission reduction', 'jCER', true, false, NULL, NULL, false);
