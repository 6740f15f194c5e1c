//! Exports a Danish controller opens: the reports as CSV and as XLSX, the same file from the
//! command line (`--format csv|xlsx --output FILE`) and from the dashboard's download links
//! (`GET /exports/{file}`), which is why both writers live here and nowhere else.
//!
//! A report becomes a [`Sheet`] — Danish column headers, typed cells and, where the report has
//! one, a total row — and a sheet becomes
//! - **CSV** for Excel with Danish regional settings: UTF-8 with a byte-order mark (without
//!   it Excel guesses a legacy code page and garbles æ, ø, å), `;` between fields (the comma is
//!   the decimal separator), numbers with a decimal comma and no thousands separator
//!   (`-1234,5`), dates as `ÅÅÅÅ-MM-DD`, the same number of fields in the header and every row
//!   (the `csv` crate refuses a record of another width);
//! - **XLSX** (rust_xlsxwriter): numbers as numbers with number formats Excel shows the Danish
//!   way (`#,##0`, `#,##0.0`, `0%`, `dd-mm-åååå`), totals as `SUM` formulas whose cached result
//!   is the report's own checked total, the title row and header frozen, printed A4 landscape
//!   with page numbers, one sheet per report.
//!
//! CSV injection (OWASP's advice): a *text* cell that begins with `=`, `+`, `-`, `@`, a tab or a
//! carriage return gets a leading `'`, so a spreadsheet shows it as text instead of evaluating
//! it; numbers are ours and keep their sign. XLSX needs no such prefix: a text cell is stored as
//! a string cell, which a spreadsheet never evaluates, so it is written exactly as recorded.
//!
//! Amounts are `Decimal` up to the XLSX boundary, where a spreadsheet number is a binary double;
//! amounts are bounded (`Amount::MAX_ABS`) well inside a double's exact range of integers.

use chrono::NaiveDate;
use gevinst_domain::baseline::Finding;
use gevinst_projections::reports::portfolio::CommitteeLine;
use gevinst_projections::reports::{
    CommitteeStatus, GoalRow, LateItem, Portfolio, ProposalReport, Realisation, View,
};
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    utility::{column_number_to_name, row_col_to_cell},
    Color, DocProperties, Format, FormatBorder, Formula, Workbook, Worksheet, XlsxError,
};

use crate::format::decimal_comma;
use crate::labels::{area_name, late_kind_label, section_danish};

/// The content type of an XLSX file.
pub const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// The content type of a CSV export.
pub const CSV_CONTENT_TYPE: &str = "text/csv; charset=utf-8";

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The CSV writer failed (a row of another width than the header is one such failure).
    #[error("CSV kunne ikke skrives: {0}")]
    Csv(#[from] csv::Error),
    /// The XLSX writer failed.
    #[error("XLSX kunne ikke skrives: {0}")]
    Xlsx(#[from] XlsxError),
    /// A row has another number of cells than the sheet has columns.
    #[error("arket «{sheet}» har {columns} kolonner, men en række har {cells} celler")]
    Width {
        /// The sheet.
        sheet: String,
        /// Its columns.
        columns: usize,
        /// The row's cells.
        cells: usize,
    },
    /// A column total does not fit in a decimal.
    #[error("summen af kolonnen «{0}» er for stor til at regne med")]
    Overflow(String),
}

/// What a column holds, which decides its CSV text and its XLSX number format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text.
    Text,
    /// A whole number (counts, years, days).
    Count,
    /// An amount in 1.000 kr.
    Amount,
    /// An amount in mio. kr. with one decimal.
    Mio,
    /// A rate: the cell holds a fraction (0,5); CSV writes it in percent (50), XLSX formats it.
    Percent,
    /// A date.
    Date,
}

impl Kind {
    fn num_format(self) -> Option<&'static str> {
        match self {
            Kind::Text => None,
            Kind::Count => Some("0"),
            Kind::Amount => Some("#,##0"),
            Kind::Mio => Some("#,##0.0"),
            Kind::Percent => Some("0%"),
            Kind::Date => Some("dd-mm-yyyy"),
        }
    }
}

/// A column: its Danish header and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The header, in Danish.
    pub header: String,
    /// What the cells hold.
    pub kind: Kind,
}

fn col(header: &str, kind: Kind) -> Column {
    Column {
        header: header.to_string(),
        kind,
    }
}

/// One cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text as recorded.
    Text(String),
    /// A number (amount, count or fraction, as the column says).
    Number(Decimal),
    /// A date.
    Date(NaiveDate),
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn opt_text(s: Option<&String>) -> Cell {
    s.map_or(Cell::Empty, |s| Cell::Text(s.clone()))
}

fn num(d: Decimal) -> Cell {
    Cell::Number(d)
}

fn count(n: impl Into<i64>) -> Cell {
    Cell::Number(Decimal::from(n.into()))
}

fn usize_cell(n: usize) -> Cell {
    Cell::Number(Decimal::from(n))
}

fn opt_num(d: Option<Decimal>) -> Cell {
    d.map_or(Cell::Empty, Cell::Number)
}

/// A cell of the total row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Total {
    /// Nothing.
    Blank,
    /// A label ("I alt").
    Label(String),
    /// The column's sum: in XLSX a `SUM` formula over the column with this as its cached
    /// result; in CSV this value.
    Sum(Decimal),
    /// A figure a document states for the total, written as it is: no formula, because a
    /// document's own total may differ from the sum of its rows (Bilag 7's Tabel 1: 122,4
    /// against rows summing to 122,5).
    Stated(Decimal),
    /// Mio. kr. of another column's total (by index), rounded as the report rounds it: in XLSX
    /// `ROUND(that total/1000;1)` with this as its cached result; in CSV this value.
    Mio {
        /// The column in 1.000 kr. whose total this is.
        of: usize,
        /// The report's own rounded figure.
        value: Decimal,
    },
}

/// One report as a table: what both writers write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The sheet's name in the workbook (at most 31 characters, none of `[]:*?/\`).
    pub name: String,
    /// The title above the table, with the times it shows.
    pub title: String,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, each with one cell per column.
    pub rows: Vec<Vec<Cell>>,
    /// The total row, one cell per column, if the report has one.
    pub total: Option<Vec<Total>>,
}

impl Sheet {
    fn new(name: &str, title: String, columns: Vec<Column>) -> Self {
        Self {
            name: name.to_string(),
            title,
            columns,
            rows: Vec::new(),
            total: None,
        }
    }

    /// A total row labelled "I alt" in the first column that sums the columns `sums` (checked),
    /// for reports that have no total of their own.
    fn with_sums(mut self, sums: &[usize]) -> Result<Self, ExportError> {
        let mut total = vec![Total::Blank; self.columns.len()];
        if let Some(first) = total.first_mut() {
            *first = Total::Label("I alt".into());
        }
        for &c in sums {
            let mut acc = Decimal::ZERO;
            for row in &self.rows {
                if let Some(Cell::Number(v)) = row.get(c) {
                    acc = acc.checked_add(*v).ok_or_else(|| {
                        ExportError::Overflow(
                            self.columns
                                .get(c)
                                .map_or(String::new(), |c| c.header.clone()),
                        )
                    })?;
                }
            }
            if let Some(cell) = total.get_mut(c) {
                *cell = Total::Sum(acc);
            }
        }
        self.total = Some(total);
        Ok(self)
    }
}

// ---------------------------------------------------------------------------------------------
// Reports as sheets.

/// Tabel 1 per committee with the realised and forecast columns, and "I alt" as formulas.
#[must_use]
pub fn portfolio(p: &Portfolio, view: &View) -> Sheet {
    let mut sheet = Sheet::new(
        "Portefølje",
        format!(
            "Tabel 1. Investerings- og innovationsforslag fordelt på udvalg, {}",
            view.danish()
        ),
        vec![
            col("Udvalg", Kind::Text),
            col("Antal forslag", Kind::Count),
            col("Heraf innovationsforslag og foranalyser", Kind::Count),
            col("Investering i alt (1.000 kr.)", Kind::Amount),
            col("Investering i alt (mio. kr.)", Kind::Mio),
            col(
                "Effektiviseringer ved fuld indfasning (1.000 kr.)",
                Kind::Amount,
            ),
            col(
                "Effektiviseringer ved fuld indfasning (mio. kr.)",
                Kind::Mio,
            ),
            col("Realiseret til dato (1.000 kr.)", Kind::Amount),
            col("Heraf verificeret (1.000 kr.)", Kind::Amount),
            col("Prognose ved fuld indfasning (1.000 kr.)", Kind::Amount),
            col("Fjernet fra budget (1.000 kr.)", Kind::Amount),
            col("Tal kun fra offentliggjorte sumtal (antal)", Kind::Count),
            col("Antal forslag, bilagets Tabel 1", Kind::Count),
            col("Investering i alt, bilagets Tabel 1 (mio. kr.)", Kind::Mio),
            col(
                "Effektiviseringer ved fuld indfasning, bilagets Tabel 1 (mio. kr.)",
                Kind::Mio,
            ),
        ],
    );
    // The document's own figures, as it states them; blank where it states none for the line.
    let stated = |l: &CommitteeLine| {
        let s = l.stated.as_ref();
        [
            s.map_or(Cell::Empty, |s| count(s.proposals)),
            opt_num(s.map(|s| s.investment_mio)),
            opt_num(s.map(|s| s.savings_full_phase_in_mio)),
        ]
    };
    for l in &p.committees {
        sheet.rows.push(vec![
            text(&l.committee),
            usize_cell(l.proposals),
            usize_cell(l.innovation_proposals),
            num(l.investment),
            num(l.investment_mio),
            num(l.savings_full_phase_in),
            num(l.savings_full_phase_in_mio),
            num(l.realised_to_date),
            num(l.realised_to_date_verified),
            num(l.forecast_full_phase_in),
            num(l.budget_removed),
            usize_cell(l.published_only),
        ]);
        sheet
            .rows
            .last_mut()
            .into_iter()
            .for_each(|r| r.extend(stated(l)));
    }
    let t = &p.total;
    sheet.total = Some(vec![
        Total::Label(t.committee.clone()),
        Total::Sum(Decimal::from(t.proposals)),
        Total::Sum(Decimal::from(t.innovation_proposals)),
        Total::Sum(t.investment),
        Total::Mio {
            of: 3,
            value: t.investment_mio,
        },
        Total::Sum(t.savings_full_phase_in),
        Total::Mio {
            of: 5,
            value: t.savings_full_phase_in_mio,
        },
        Total::Sum(t.realised_to_date),
        Total::Sum(t.realised_to_date_verified),
        Total::Sum(t.forecast_full_phase_in),
        Total::Sum(t.budget_removed),
        Total::Sum(Decimal::from(t.published_only)),
    ]);
    if let Some(total) = sheet.total.as_mut() {
        total.extend(stated(t).map(|c| match c {
            Cell::Number(v) => Total::Stated(v),
            _ => Total::Blank,
        }));
    }
    sheet
}

/// Which estimate converted amounts reported at another price level, when any were: every
/// conversion in the sheet names its vintage, as the report does.
fn converted_with(r: &Realisation) -> String {
    if r.conversions.is_empty() && r.unconverted.is_empty() {
        return String::new();
    }
    let vintages: std::collections::BTreeSet<&str> =
        r.conversions.iter().map(|c| c.vintage.as_str()).collect();
    let mut text = match &r.price_index {
        Some(u) if !vintages.is_empty() => format!(
            "; {} beløb omregnet med prisindekset {} ({})",
            r.conversions.len(),
            u.name,
            vintages.into_iter().collect::<Vec<_>>().join(", ")
        ),
        Some(u) => format!("; prisindeks {} ({})", u.name, u.vintage),
        None => "; intet prisindeks i brug".to_string(),
    };
    if !r.unconverted.is_empty() {
        text.push_str(&format!("; {} beløb ikke omregnet", r.unconverted.len()));
    }
    text
}

/// One proposal's realisation against plan, one row per year, the yearly columns summed.
pub fn realisation(r: &Realisation, view: &View) -> Result<Sheet, ExportError> {
    let mut sheet = Sheet::new(
        &format!("Realisering {}", r.proposal),
        format!(
            "{} {}: realisering mod plan (1.000 kr., {} p/l{}), {}",
            r.proposal,
            r.title,
            r.price_level,
            converted_with(r),
            view.danish()
        ),
        vec![
            col("År", Kind::Count),
            col("Oprindelig plan", Kind::Amount),
            col("Plan", Kind::Amount),
            col("Realiseret", Kind::Amount),
            col("Heraf verificeret", Kind::Amount),
            col("Prognose", Kind::Amount),
            col("Afvigelse", Kind::Amount),
            col("Realiseringsgrad (%)", Kind::Percent),
            col("Akkumuleret plan", Kind::Amount),
            col("Akkumuleret realiseret", Kind::Amount),
            col("Akkumuleret afvigelse", Kind::Amount),
            col("Akkumuleret realiseringsgrad (%)", Kind::Percent),
            col("Implementeringsbudget", Kind::Amount),
            col("Afholdte omkostninger", Kind::Amount),
            col("Fjernet fra budget", Kind::Amount),
        ],
    );
    for y in &r.years {
        sheet.rows.push(vec![
            count(y.year),
            num(y.baseline),
            num(y.plan),
            num(y.realised),
            num(y.realised_verified),
            num(y.forecast),
            num(y.variance),
            opt_num(y.rate),
            num(y.cumulative_plan),
            num(y.cumulative_realised),
            num(y.cumulative_variance),
            opt_num(y.cumulative_rate),
            num(y.cost_budget),
            num(y.cost_incurred),
            num(y.budget_removed),
        ]);
    }
    sheet.with_sums(&[1, 2, 3, 4, 5, 6, 12, 13, 14])
}

/// Every goal and milestone with its schedule and status.
#[must_use]
pub fn goals(rows: &[GoalRow], view: &View) -> Sheet {
    let mut sheet = Sheet::new(
        "Mål og milepæle",
        format!("Opfølgningsmål og milepæle, {}", view.danish()),
        vec![
            col("Forslag", Kind::Text),
            col("Udvalg", Kind::Text),
            col("Type", Kind::Text),
            col("Id", Kind::Text),
            col("Afsnit", Kind::Text),
            col("Status", Kind::Text),
            col("Tidsplan", Kind::Text),
            col("Hvornår", Kind::Text),
            col("Ansvarlig", Kind::Text),
            col("Opnået den", Kind::Date),
            col("I risiko", Kind::Text),
            col("Mål", Kind::Text),
            col("Seneste note", Kind::Text),
            col("Dokumentation", Kind::Text),
        ],
    );
    for g in rows {
        sheet.rows.push(vec![
            text(&g.proposal),
            text(&g.committee),
            text(g.kind_danish()),
            text(&g.id),
            text(section_danish(g.section.as_deref())),
            text(g.status.danish()),
            text(&g.schedule),
            text(&g.when),
            opt_text(g.responsible.as_ref()),
            g.achieved_on.map_or(Cell::Empty, Cell::Date),
            text(if g.at_risk { "ja" } else { "nej" }),
            text(&g.text),
            opt_text(g.latest_note.as_ref()),
            opt_text(g.evidence.as_ref()),
        ]);
    }
    sheet
}

/// What is late, largest first; the shortfalls summed.
pub fn late(items: &[LateItem], view: &View) -> Result<Sheet, ExportError> {
    let mut sheet = Sheet::new(
        "Forsinket",
        format!("Forsinket, {}", view.danish()),
        vec![
            col("Forslag", Kind::Text),
            col("Udvalg", Kind::Text),
            col("Type", Kind::Text),
            col("Hvad", Kind::Text),
            col("Mangler (1.000 kr.)", Kind::Amount),
            col("Dage overskredet", Kind::Count),
            col("Beskrivelse", Kind::Text),
            col("Udvalg med andel", Kind::Text),
        ],
    );
    for i in items {
        sheet.rows.push(vec![
            text(&i.proposal),
            text(&i.committee),
            text(late_kind_label(&i.kind)),
            text(&i.what),
            if i.shortfall.is_zero() {
                Cell::Empty
            } else {
                num(i.shortfall)
            },
            i.days_overdue.map_or(Cell::Empty, count),
            text(&i.description),
            text(i.committees.join(", ")),
        ]);
    }
    sheet.with_sums(&[4])
}

/// Each proposal's status for the committee, with the reasons.
#[must_use]
pub fn committee_status(rows: &[CommitteeStatus], view: &View) -> Sheet {
    let mut sheet = Sheet::new(
        "Status til udvalgene",
        format!("Status til udvalgene, {}", view.danish()),
        vec![
            col("Forslag", Kind::Text),
            col("Udvalg", Kind::Text),
            col("Titel", Kind::Text),
            col("Kategori", Kind::Text),
            col("Begrundelse", Kind::Text),
            col("Udvalg med andel", Kind::Text),
        ],
    );
    for r in rows {
        sheet.rows.push(vec![
            text(&r.proposal),
            text(&r.committee),
            text(&r.title),
            text(r.category.danish()),
            text(r.reasons.join("; ")),
            text(r.committees.join(", ")),
        ]);
    }
    sheet
}

/// One proposal's plan: a row per plan line and per computed subtotal, a column per year.
#[must_use]
pub fn proposal(r: &ProposalReport) -> Sheet {
    let id = &r.identity;
    let mut columns = vec![
        col("Række", Kind::Text),
        col("Tekst", Kind::Text),
        col("Styringsområde", Kind::Text),
    ];
    columns.extend(r.years.iter().map(|y| col(&y.to_string(), Kind::Amount)));
    let mut sheet = Sheet::new(
        &format!("Plan {}", id.id),
        format!(
            "{} {}: planen (1.000 kr., {} p/l), udvalg {}",
            id.id, id.title, id.price_level, id.committee
        ),
        columns,
    );
    for line in &r.lines {
        let mut row = vec![
            text(line.id.to_string()),
            text(&line.label),
            text(area_name(r.names.as_ref(), line.control_area)),
        ];
        row.extend(
            r.years
                .iter()
                .map(|y| num(line.amounts.get_or_zero(*y).value())),
        );
        sheet.rows.push(row);
    }
    for t in &r.totals {
        let mut row = vec![
            text("I alt"),
            text(&t.label),
            t.control_area
                .map_or(Cell::Empty, |a| text(area_name(r.names.as_ref(), a))),
        ];
        row.extend(
            r.years
                .iter()
                .map(|y| num(t.computed.get(y).copied().unwrap_or_default())),
        );
        sheet.rows.push(row);
    }
    sheet
}

/// A finding with the root cause it belongs to (`gevinst_domain::baseline::root_causes`): its
/// number and the heading a controller reads. JSON and spreadsheets list the findings grouped
/// by cause, as the table output does.
#[derive(Debug, serde::Serialize)]
pub struct GroupedFinding<'a> {
    /// 1, 2 … in the order the causes first appear.
    pub cause: usize,
    /// "BC01 · sum: … (4 steder; se Tabel A, Tabel ii)".
    pub cause_heading: String,
    /// The finding.
    #[serde(flatten)]
    pub finding: &'a Finding,
}

/// The findings in root-cause order, each with its cause.
#[must_use]
pub fn grouped_findings(findings: &[Finding]) -> Vec<GroupedFinding<'_>> {
    gevinst_domain::baseline::root_causes(findings)
        .into_iter()
        .enumerate()
        .flat_map(|(i, cause)| {
            let heading = cause.heading();
            cause
                .findings
                .into_iter()
                .map(move |finding| GroupedFinding {
                    cause: i + 1,
                    cause_heading: heading.clone(),
                    finding,
                })
        })
        .collect()
}

/// The integrity check's findings, one per row, grouped by root cause.
#[must_use]
pub fn findings(findings: &[Finding], file: &str) -> Sheet {
    let mut sheet = Sheet::new(
        "Uoverensstemmelser",
        format!("Uoverensstemmelser i {file}"),
        vec![
            col("Årsag nr.", Kind::Count),
            col("Årsag", Kind::Text),
            col("Forslag", Kind::Text),
            col("Tabel", Kind::Text),
            col("Række", Kind::Text),
            col("Kolonne", Kind::Text),
            col("År", Kind::Count),
            col("Enhed", Kind::Text),
            col("Dokumentet angiver", Kind::Amount),
            col("Beregnet", Kind::Amount),
            col("Forskel", Kind::Amount),
            col("Art", Kind::Text),
            col("Forklaring", Kind::Text),
        ],
    );
    for g in grouped_findings(findings) {
        let f = g.finding;
        sheet.rows.push(vec![
            count(i64::try_from(g.cause).unwrap_or(i64::MAX)),
            text(&g.cause_heading),
            f.proposal
                .as_ref()
                .map_or(Cell::Empty, |p| text(p.to_string())),
            text(&f.table),
            text(&f.row),
            opt_text(f.column.as_ref()),
            f.year.map_or(Cell::Empty, count),
            text(&f.unit),
            num(f.stated),
            num(f.computed),
            num(f.difference),
            text(f.kind.danish()),
            text(&f.explanation),
        ]);
    }
    sheet
}

// ---------------------------------------------------------------------------------------------
// CSV.

/// A text cell as a spreadsheet will show it, never as a formula (OWASP's CSV-injection
/// advice: a leading `=`, `+`, `-`, `@`, tab or carriage return gets a `'` in front).
#[must_use]
pub fn neutralise(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn csv_number(value: Decimal, kind: Kind) -> String {
    match kind {
        Kind::Percent => decimal_comma(value * Decimal::ONE_HUNDRED),
        _ => decimal_comma(value),
    }
}

fn csv_cell(cell: &Cell, kind: Kind) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) => neutralise(s),
        Cell::Number(v) => csv_number(*v, kind),
        Cell::Date(d) => d.to_string(),
    }
}

/// The sheet as CSV for Excel with Danish regional settings: byte-order mark, `;`, decimal
/// comma, header and rows of the same width, the total row (if any) last.
pub fn csv(sheet: &Sheet) -> Result<Vec<u8>, ExportError> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        w.write_record(sheet.columns.iter().map(|c| neutralise(&c.header)))?;
        // Cells are matched to columns by position and never zipped away: a row of another
        // width than the header reaches the writer as it is, and the writer refuses it.
        let kind = |i: usize| sheet.columns.get(i).map_or(Kind::Text, |c| c.kind);
        for row in &sheet.rows {
            w.write_record(
                row.iter()
                    .enumerate()
                    .map(|(i, cell)| csv_cell(cell, kind(i))),
            )?;
        }
        if let Some(total) = &sheet.total {
            w.write_record(total.iter().enumerate().map(|(i, t)| match t {
                Total::Blank => String::new(),
                Total::Label(s) => neutralise(s),
                Total::Sum(v) | Total::Stated(v) | Total::Mio { value: v, .. } => {
                    csv_number(*v, kind(i))
                }
            }))?;
        }
        w.flush().map_err(csv::Error::from)?;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// XLSX.

/// The sheets as one workbook, one sheet each, in order.
pub fn xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    if let Some(first) = sheets.first() {
        workbook.set_properties(
            &DocProperties::new()
                .set_title(&first.title)
                .set_comment("Gevinst: beregnet fra den uforanderlige hændelseslog"),
        );
    }
    for sheet in sheets {
        write_sheet(workbook.add_worksheet(), sheet)?;
    }
    Ok(workbook.save_to_buffer()?)
}

/// The first data row (0-based): the title is row 0, the header row 1.
const FIRST_ROW: u32 = 2;

fn write_sheet(ws: &mut Worksheet, sheet: &Sheet) -> Result<(), ExportError> {
    let width_error = |cells: usize| ExportError::Width {
        sheet: sheet.name.clone(),
        columns: sheet.columns.len(),
        cells,
    };
    if let Some(bad) = sheet
        .rows
        .iter()
        .map(Vec::len)
        .chain(sheet.total.iter().map(Vec::len))
        .find(|&n| n != sheet.columns.len())
    {
        return Err(width_error(bad));
    }
    ws.set_name(&sheet.name)?;
    let title = Format::new().set_bold().set_font_size(13);
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color(Color::RGB(0x00E9_EEF5))
        .set_border_bottom(FormatBorder::Medium);
    let formats: Vec<Format> = sheet
        .columns
        .iter()
        .map(|c| match c.kind.num_format() {
            Some(f) => Format::new().set_num_format(f),
            None => Format::new(),
        })
        .collect();
    let totals: Vec<Format> = formats
        .iter()
        .map(|f| f.clone().set_bold().set_border_top(FormatBorder::Thin))
        .collect();

    ws.write_string_with_format(0, 0, &sheet.title, &title)?;
    for (c, column) in (0u16..).zip(&sheet.columns) {
        ws.write_string_with_format(1, c, &column.header, &header)?;
        let widest = sheet
            .rows
            .iter()
            .filter_map(|r| r.get(usize::from(c)))
            .map(|cell| csv_cell(cell, column.kind).chars().count())
            .max()
            .unwrap_or(0);
        let width = match column.kind {
            Kind::Text => widest.clamp(8, 60),
            Kind::Date => 11,
            _ => widest.clamp(9, 16),
        };
        ws.set_column_width(c, u32::try_from(width + 2).unwrap_or(60))?;
    }
    let mut row_num = FIRST_ROW;
    for row in &sheet.rows {
        for ((c, cell), format) in (0u16..).zip(row).zip(&formats) {
            match cell {
                Cell::Empty => {}
                Cell::Text(s) => {
                    ws.write_string_with_format(row_num, c, s, format)?;
                }
                Cell::Number(v) => {
                    ws.write_with_format(row_num, c, *v, format)?;
                }
                Cell::Date(d) => {
                    ws.write_date_with_format(row_num, c, d, format)?;
                }
            }
        }
        row_num += 1;
    }
    if let Some(total) = &sheet.total {
        let last = row_num.saturating_sub(1);
        for ((c, t), format) in (0u16..).zip(total).zip(&totals) {
            match t {
                Total::Blank => {
                    ws.write_blank(row_num, c, format)?;
                }
                Total::Label(s) => {
                    ws.write_string_with_format(row_num, c, s, format)?;
                }
                Total::Sum(v) | Total::Stated(v) if sheet.rows.is_empty() => {
                    ws.write_with_format(row_num, c, *v, format)?;
                }
                Total::Stated(v) => {
                    ws.write_with_format(row_num, c, *v, format)?;
                }
                Total::Sum(v) => {
                    let column = column_number_to_name(c);
                    let formula = Formula::new(format!(
                        "=SUM({column}{}:{column}{})",
                        FIRST_ROW + 1,
                        last + 1
                    ))
                    .set_result(v.normalize().to_string());
                    ws.write_formula_with_format(row_num, c, formula, format)?;
                }
                Total::Mio { of, value } => {
                    let source = row_col_to_cell(row_num, u16::try_from(*of).unwrap_or(0));
                    let formula = Formula::new(format!("=ROUND({source}/1000,1)"))
                        .set_result(value.normalize().to_string());
                    ws.write_formula_with_format(row_num, c, formula, format)?;
                }
            }
        }
    }
    ws.set_freeze_panes(FIRST_ROW, 0)?;
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_header(format!("&L&\"-,Bold\"{}", sheet.title.replace('&', "&&")));
    ws.set_footer("&LGevinst&RSide &P af &N");
    Ok(())
}

/// A file a report can be exported to, named as a controller would file it.
#[must_use]
pub fn file_name(stem: &str, as_of: NaiveDate, extension: &str) -> String {
    format!("{stem}-{as_of}.{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn sheet() -> Sheet {
        let mut s = Sheet::new(
            "Test",
            "Test pr. 2025-12-31".into(),
            vec![
                col("Tekst", Kind::Text),
                col("Beløb", Kind::Amount),
                col("Grad", Kind::Percent),
            ],
        );
        s.rows
            .push(vec![text("=1+1"), num(dec!(-1234.50)), num(dec!(0.5))]);
        s.rows
            .push(vec![text("Æblegrød; ok"), num(dec!(34)), Cell::Empty]);
        s
    }

    #[test]
    fn formulas_in_text_are_neutralised_and_numbers_keep_their_sign() {
        for (raw, shown) in [
            ("=1+1", "'=1+1"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("1+1", "1+1"),
            ("Ærø", "Ærø"),
        ] {
            assert_eq!(neutralise(raw), shown);
        }
        let csv = String::from_utf8(csv(&sheet().with_sums(&[1]).unwrap()).unwrap()).unwrap();
        assert_eq!(
            csv,
            "\u{feff}Tekst;Beløb;Grad\r\n'=1+1;-1234,5;50\r\n\"Æblegrød; ok\";34;\r\nI alt;-1200,5;\r\n"
        );
    }

    #[test]
    fn a_row_of_another_width_is_refused_by_both_writers() {
        let mut s = sheet();
        s.rows.push(vec![text("kort")]);
        assert!(matches!(csv(&s), Err(ExportError::Csv(_))));
        assert!(matches!(
            xlsx(&[s]),
            Err(ExportError::Width { cells: 1, .. })
        ));
    }

    #[test]
    fn an_overflowing_total_is_an_error() {
        let mut s = sheet();
        s.rows.push(vec![text("x"), num(Decimal::MAX), Cell::Empty]);
        s.rows.push(vec![text("x"), num(Decimal::MAX), Cell::Empty]);
        assert!(matches!(s.with_sums(&[1]), Err(ExportError::Overflow(h)) if h == "Beløb"));
    }

    #[test]
    fn an_xlsx_is_a_zip_archive() {
        let bytes = xlsx(&[sheet().with_sums(&[1]).unwrap()]).unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}
