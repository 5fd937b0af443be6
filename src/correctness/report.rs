//! A comparison as text: what was compared, the tolerance and why, one row per output, verdict.

use std::fmt::Write;

use super::check::{Comparison, SideReport};
use super::compare::{OutputComparison, format_shape};
use super::tolerance::format_cosine;
use crate::text::Table;

impl Comparison {
    /// The report `epbench compare` prints.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Candidate: {}", describe(&self.candidate));
        let _ = writeln!(out, "Reference: {}", describe(&self.reference));
        let _ = writeln!(out, "Tolerance: {}", self.tolerance);
        let _ = writeln!(out, "  why: {}", self.tolerance.why);
        out.push('\n');

        let mut table = Table::left_aligned(&[
            "output", "type", "shape", "max_abs", "max_rel", "mean_abs", "cosine", "worst at",
            "result",
        ]);
        for output in &self.outputs {
            table.row(row(output).into());
        }
        out.push_str(&table.render());
        out.push('\n');
        let _ = writeln!(out, "{}", self.verdict());
        out
    }

    /// `MATCH: ...` or `MISMATCH: ...`, naming the outputs that differ and why.
    fn verdict(&self) -> String {
        let total = self.outputs.len();
        if total == 0 {
            return "MISMATCH: the models have no outputs to compare".into();
        }
        if self.pass {
            return format!("MATCH: {total} of {total} outputs within tolerance");
        }
        let failures: Vec<String> = self
            .failures()
            .map(|o| match &o.failure {
                Some(failure) => format!("{} ({failure})", o.name),
                None => o.name.clone(),
            })
            .collect();
        format!(
            "MISMATCH: {} of {total} outputs differ: {}",
            failures.len(),
            failures.join(", ")
        )
    }
}

fn describe(side: &SideReport) -> String {
    let mut text = format!("{} ({}) on {}", side.model, side.dtype, side.ep);
    if let Some(level) = side.opt_level {
        // The spelling `--opt-level` accepts: disable, basic, extended, all.
        let level = format!("{level:?}").to_lowercase();
        let _ = write!(text, ", ORT optimisation {level}");
    }
    text
}

fn row(output: &OutputComparison) -> [String; 9] {
    let number = |v: f64| format!("{v:.2e}");
    let (max_abs, max_rel, mean_abs, cosine, worst) = match &output.stats {
        Some(s) => (
            number(s.max_abs),
            number(s.max_rel),
            number(s.mean_abs),
            format_cosine(s.cosine),
            s.worst.as_ref().map_or_else(String::new, |w| {
                format!("{:?}: {:.6} vs {:.6}", w.index, w.candidate, w.reference)
            }),
        ),
        None => Default::default(),
    };
    let result = match &output.failure {
        None => "pass".to_string(),
        Some(failure) => format!("FAIL: {failure}"),
    };
    [
        output.name.clone(),
        output.element_type.clone(),
        format_shape(&output.shape),
        max_abs,
        max_rel,
        mean_abs,
        cosine,
        worst,
        result,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::correctness::compare::{OutputTensor, Values, compare_outputs};
    use crate::correctness::{Tolerance, ToleranceClass};
    use crate::runtime::{Ep, OptLevel};

    fn output(name: &str, values: &[f64]) -> OutputTensor {
        OutputTensor {
            name: name.into(),
            shape: vec![1, values.len()],
            element_type: "f32".into(),
            values: Values::Float(values.to_vec()),
        }
    }

    fn comparison(candidate: &[OutputTensor], reference: &[OutputTensor]) -> Comparison {
        let tolerance = Tolerance::new(ToleranceClass::Fp32Reordered, false);
        let outputs = compare_outputs(candidate, reference, &tolerance);
        let side = |ep: Ep| SideReport {
            model: "tiny-systems-bert_gelu_fp32_static_b1_s128".into(),
            ep,
            dtype: "fp32",
            opt_level: Some(OptLevel::All),
        };
        Comparison {
            pass: outputs.iter().all(|o| o.pass),
            candidate: side("openvino".parse().unwrap()),
            reference: side(Ep::Cpu),
            tolerance,
            outputs,
        }
    }

    #[test]
    fn a_match_names_the_sides_the_tolerance_and_each_output() {
        let reference = [output("last_hidden_state", &[1.0, -2.0, 0.5])];
        let candidate = [output("last_hidden_state", &[1.0, -2.000001, 0.5])];
        let text = comparison(&candidate, &reference).render_text();
        assert!(
            text.contains("Candidate: tiny-systems-bert_gelu_fp32_static_b1_s128 (fp32) on openvino, ORT optimisation all"),
            "{text}"
        );
        assert!(
            text.contains("Reference: tiny-systems-bert_gelu_fp32_static_b1_s128 (fp32) on cpu")
        );
        assert!(text.contains("Tolerance: fp32-reordered"));
        assert!(text.contains("why: fp32 on both sides"));
        assert!(text.contains("last_hidden_state  f32   1x3"), "{text}");
        assert!(text.contains("[0, 1]: -2.000001 vs -2.000000"), "{text}");
        assert!(
            text.trim_end()
                .ends_with("MATCH: 1 of 1 outputs within tolerance")
        );
    }

    #[test]
    fn a_mismatch_names_the_failing_outputs() {
        let reference = [output("a", &[1.0, 2.0]), output("b", &[1.0, 2.0])];
        let candidate = [output("a", &[1.0, 2.0]), output("b", &[1.0, f64::NAN])];
        let text = comparison(&candidate, &reference).render_text();
        assert!(
            text.contains("FAIL: NaN/Inf: 1 in the candidate, 0 in the reference"),
            "{text}"
        );
        assert!(
            text.trim_end().ends_with("MISMATCH: 1 of 2 outputs differ: b (NaN/Inf: 1 in the candidate, 0 in the reference)"),
            "{text}"
        );
    }
}
