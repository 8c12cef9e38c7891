//! A CSV text split into records, each with the physical line it begins on
//! (whatever the line ending: `\n`, `\r\n`) and its raw text. A record may
//! span lines inside a quoted field; when such a record does not have the
//! header's number of fields, its quote was never closed: its first line
//! alone is reported and the lines after it are read again as records of
//! their own, so a stray quote costs one row, not the rows after it.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};

/// Lines and bytes a quoted field may span before its quote counts as
/// never closed.
const MAX_RECORD_LINES: usize = 1_000;
const MAX_RECORD_BYTES: usize = 1 << 20;

pub(crate) struct Records<R> {
    input: BufReader<R>,
    core: csv_core::Reader,
    /// The number of the next line `input` gives.
    next_line: u64,
    /// Lines given back after a quote that was never closed.
    pending: VecDeque<(u64, Vec<u8>)>,
    /// The record's lines as read, line endings included.
    raw: Vec<u8>,
    line_ends: Vec<usize>,
    line_numbers: Vec<u64>,
    out: Vec<u8>,
    ends: Vec<usize>,
    fields: usize,
}

enum Input {
    /// The record's text at this range of `raw`, without its line ending.
    Raw(std::ops::Range<usize>),
    LineEnd,
    TextEnd,
}

/// One record read.
#[derive(Debug, PartialEq)]
pub(crate) enum Read1 {
    /// A record of fields ([`Records::field`]).
    Record,
    /// A line whose quote is never closed, read alone.
    OpenQuote,
}

impl<R: Read> Records<R> {
    pub(crate) fn new(input: R, delimiter: u8) -> Self {
        Self {
            input: BufReader::with_capacity(1 << 16, input),
            // Lines are split here, their endings taken off: only the `\n` fed
            // after each ends a record, so a stray `\r` inside a line is text.
            core: csv_core::ReaderBuilder::new()
                .delimiter(delimiter)
                .terminator(csv_core::Terminator::Any(b'\n'))
                .build(),
            next_line: 1,
            pending: VecDeque::new(),
            raw: Vec::new(),
            line_ends: Vec::new(),
            line_numbers: Vec::new(),
            out: vec![0; 4096],
            ends: vec![0; 64],
            fields: 0,
        }
    }

    /// The next record, or `None` at the end; `expected` fields tells a
    /// never-closed quote from a field holding line breaks.
    pub(crate) fn next(&mut self, expected: Option<usize>) -> std::io::Result<Option<Read1>> {
        self.raw.clear();
        self.line_ends.clear();
        self.line_numbers.clear();
        let (mut out_len, mut ends_len) = (0, 0);
        let mut at_end = false;
        loop {
            let start = self.raw.len();
            let Some(number) = self.next_physical()? else {
                if self.raw.is_empty() {
                    return Ok(None);
                }
                // The end of the text ends the record (inside a quote).
                self.feed(Input::TextEnd, &mut out_len, &mut ends_len);
                at_end = true;
                break;
            };
            let text_len = trim_line_end(&self.raw[start..]).len();
            if self.line_ends.is_empty() && text_len == 0 {
                self.raw.truncate(start);
                continue;
            }
            self.line_ends.push(self.raw.len());
            self.line_numbers.push(number);
            // Fed without its own line ending, then with `\n`: `\r\n` and `\n` read alike.
            // An empty line inside a quoted field is not fed: no input means the end to the parser.
            if text_len > 0 {
                self.feed(Input::Raw(start..start + text_len), &mut out_len, &mut ends_len);
            }
            if self.feed(Input::LineEnd, &mut out_len, &mut ends_len) {
                break;
            }
            if self.line_ends.len() >= MAX_RECORD_LINES || self.raw.len() >= MAX_RECORD_BYTES {
                return Ok(Some(self.give_back_after_first()));
            }
        }
        self.fields = ends_len;
        let wrong_count = expected.is_some_and(|n| n != ends_len);
        if at_end || wrong_count && self.line_ends.len() > 1 {
            return Ok(Some(self.give_back_after_first()));
        }
        Ok(Some(Read1::Record))
    }

    /// Feeds the parser; whether that ended the record.
    fn feed(&mut self, what: Input, out_len: &mut usize, ends_len: &mut usize) -> bool {
        let mut input: &[u8] = match what {
            Input::Raw(range) => &self.raw[range],
            Input::LineEnd => b"\n",
            Input::TextEnd => &[],
        };
        loop {
            let (result, read, written, ended) =
                self.core
                    .read_record(input, &mut self.out[*out_len..], &mut self.ends[*ends_len..]);
            input = &input[read..];
            *out_len += written;
            *ends_len += ended;
            match result {
                csv_core::ReadRecordResult::InputEmpty => return false,
                csv_core::ReadRecordResult::OutputFull => {
                    let n = self.out.len() * 2;
                    self.out.resize(n, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                csv_core::ReadRecordResult::Record | csv_core::ReadRecordResult::End => return true,
            }
        }
    }

    /// Reports the record's first line alone and gives its other lines back.
    fn give_back_after_first(&mut self) -> Read1 {
        self.core.reset();
        let first_end = self.line_ends[0];
        for i in (1..self.line_ends.len()).rev() {
            let line = self.raw[self.line_ends[i - 1]..self.line_ends[i]].to_vec();
            self.pending.push_front((self.line_numbers[i], line));
        }
        self.raw.truncate(first_end);
        self.line_ends.truncate(1);
        self.line_numbers.truncate(1);
        self.fields = 0;
        Read1::OpenQuote
    }

    /// Appends the next physical line to `raw`; its number, `None` at the end.
    fn next_physical(&mut self) -> std::io::Result<Option<u64>> {
        if let Some((number, line)) = self.pending.pop_front() {
            self.raw.extend_from_slice(&line);
            self.next_line = number + 1;
            return Ok(Some(number));
        }
        if self.input.read_until(b'\n', &mut self.raw)? == 0 {
            return Ok(None);
        }
        self.next_line += 1;
        Ok(Some(self.next_line - 1))
    }

    /// The line the record begins on (1 is the file's first).
    pub(crate) fn line(&self) -> u64 {
        self.line_numbers.first().copied().unwrap_or(self.next_line)
    }

    /// The record as it stands in the file, without its last line ending.
    pub(crate) fn raw(&self) -> &[u8] {
        trim_line_end(&self.raw)
    }

    pub(crate) fn len(&self) -> usize {
        self.fields
    }

    pub(crate) fn field(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.out[start..self.ends[i]]
    }
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    if end > 0 && line[end - 1] == b'\n' {
        end -= 1;
    }
    if end > 0 && line[end - 1] == b'\r' {
        end -= 1;
    }
    &line[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str, expected: Option<usize>) -> Vec<(u64, Read1, Vec<String>, String)> {
        let mut r = Records::new(text.as_bytes(), b',');
        let mut out = Vec::new();
        while let Some(kind) = r.next(expected).unwrap() {
            let fields = (0..r.len())
                .map(|i| String::from_utf8(r.field(i).to_vec()).unwrap())
                .collect();
            out.push((r.line(), kind, fields, String::from_utf8(r.raw().to_vec()).unwrap()));
        }
        out
    }

    #[test]
    fn lines_are_counted_whatever_their_ending() {
        for end in ["\n", "\r\n"] {
            let text = ["a,b", "1,2", "", "3,4", "5,6"].join(end) + end;
            let lines: Vec<_> = all(&text, Some(2)).iter().map(|r| (r.0, r.2.clone())).collect();
            assert_eq!(
                lines,
                [
                    (1, vec!["a".to_string(), "b".into()]),
                    (2, vec!["1".into(), "2".into()]),
                    (4, vec!["3".into(), "4".into()]),
                    (5, vec!["5".into(), "6".into()]),
                ],
                "{end:?}"
            );
        }
    }

    #[test]
    fn a_stray_carriage_return_is_text_not_a_line_end() {
        // Found by fuzzing: a bare \r inside a line once ended the record halfway.
        let r = all("a,b\r\n1,x\ry\r\n2,z\n", Some(2));
        assert_eq!(r.len(), 3);
        assert_eq!((r[1].0, r[1].2.clone()), (2, vec!["1".to_string(), "x\ry".into()]));
        assert_eq!((r[2].0, r[2].2.clone()), (3, vec!["2".to_string(), "z".into()]));
    }

    #[test]
    fn a_quoted_field_may_hold_line_breaks() {
        let text = "a,b\r\n1,\"two\r\nlines\"\r\n3,4\r\n";
        let r = all(text, Some(2));
        assert_eq!(r[1].0, 2);
        assert_eq!(r[1].2, ["1", "two\nlines"]);
        assert_eq!(r[1].3, "1,\"two\r\nlines\"");
        assert_eq!((r[2].0, r[2].2.clone()), (4, vec!["3".to_string(), "4".into()]));
    }

    #[test]
    fn a_quote_never_closed_costs_its_own_line_only() {
        let text = "a,b,c\n1,\"broken,x\n2,y,z\n3,y,z\n";
        let r = all(text, Some(3));
        assert_eq!(r.len(), 4);
        assert_eq!(
            (r[1].0, &r[1].1, r[1].3.as_str()),
            (2, &Read1::OpenQuote, "1,\"broken,x")
        );
        assert_eq!(
            (r[2].0, r[2].2.clone()),
            (3, vec!["2".to_string(), "y".into(), "z".into()])
        );
        assert_eq!(r[3].0, 4);
        // On the last line too.
        let r = all("a,b\n1,2\n3,\"4\n", Some(2));
        assert_eq!((r[2].0, &r[2].1, r[2].3.as_str()), (3, &Read1::OpenQuote, "3,\"4"));
    }

    #[test]
    fn an_open_quote_is_bounded() {
        let mut text = String::from("a,b\n1,\"open\n");
        for i in 0..3000 {
            text.push_str(&format!("{i},x\n"));
        }
        let r = all(&text, Some(2));
        assert_eq!(r[1].1, Read1::OpenQuote);
        assert_eq!(r.len(), 3002, "every later row read");
        assert_eq!(r[3001].0, 3002);
    }

    /// An empty line inside a quoted field is part of the field, not the
    /// end of the text (fuzzing found one ending the record there and the
    /// fields after it sliced past their end).
    #[test]
    fn an_empty_line_inside_quotes_is_text() {
        let kept = all("a,b\n1,\"x\n\ny\"\n3,4\n", Some(2));
        let fields: Vec<_> = kept.iter().map(|r| (r.0, r.2.clone())).collect();
        assert_eq!(
            fields,
            [
                (1, vec!["a".to_string(), "b".into()]),
                (2, vec!["1".into(), "x\n\ny".into()]),
                (5, vec!["3".into(), "4".into()]),
            ]
        );
        let open = all("a,b\n1,\"x\n\n\n3,4\n", Some(2));
        let lines: Vec<_> = open.iter().map(|r| (r.0, &r.1)).collect();
        assert_eq!(
            lines,
            [(1, &Read1::Record), (2, &Read1::OpenQuote), (5, &Read1::Record)]
        );
        assert_eq!(open[2].2, ["3", "4"]);
    }
}
