//! torchvision's MobileNetV2 as `torch.onnx.export` writes it in eval mode (opset 14).
//!
//! The exporter folds each BatchNorm into the preceding convolution (weights `onnx::Conv_N`),
//! exports ReLU6 as `Clip(0, 6)`, the inverted-residual shortcut as `Add`,
//! `adaptive_avg_pool2d(x, 1)` as `GlobalAveragePool`, then `Flatten` and the classifier as
//! `Gemm`. Node names follow torchvision's module names
//! (`/features/features.2/conv/conv.1/conv.1.0/Conv`).
//!
//! Seeded weights are drawn as a freshly initialised network that keeps activations at unit
//! scale: He (fan-in) normal convolutions, gain 2 before ReLU6 and 1 for the linear
//! projections, BatchNorm at its initial state (scale 1, shift 0, running mean 0, variance 1),
//! and a fan-in scaled classifier. The logits are then O(1) — representable in fp16, unlike a
//! network whose signal shrinks layer after layer.

use serde::{Deserialize, Serialize};

use crate::onnx::proto::AttributeProto;
use crate::onnx::{Dim, GraphBuilder, ModelProto};

use super::ZooError;
use super::variant::VisionVariant;
use super::weights::{Init, Weights};

/// The vision model's configuration from the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MobileNetConfig {
    /// Input height and width.
    pub image_size: usize,
    pub classes: usize,
}

/// torchvision's `inverted_residual_setting`: expansion t, channels c, repeats n, stride s.
const SETTINGS: [(usize, usize, usize, usize); 7] = [
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
];
const FIRST_CHANNELS: usize = 32;
const LAST_CHANNELS: usize = 1280;
const BN_EPS: f32 = 1e-5;

/// Builds MobileNetV2 with input `input` `[B, 3, H, W]` and output `output` `[B, classes]`.
/// `progress(done, total)` is called after each of the 19 feature blocks.
pub fn build(
    config: &MobileNetConfig,
    variant: &VisionVariant,
    weights: &mut dyn Weights,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ModelProto, ZooError> {
    let mut m = MobileNet {
        g: GraphBuilder::new("main_graph", variant.dtype),
        w: weights,
    };
    let batch = variant.batch as i64;
    let size = config.image_size as i64;
    let float = m.g.float_elem();
    let input = m.g.input(
        "input",
        float,
        &[batch.into(), 3.into(), size.into(), size.into()],
    );
    let features = m.scoped("features", |m| m.features(&input, progress))?;
    let pooled = m.g.op("GlobalAveragePool", &[&features], vec![]);
    let flat =
        m.g.op("Flatten", &[&pooled], vec![AttributeProto::int("axis", 1)]);
    let logits = m.classifier(&flat, config.classes)?;
    m.g.output(
        &logits,
        "output",
        float,
        &[Dim::from(batch), Dim::from(config.classes as i64)],
    );
    Ok(m.g.finish(14, vec![]))
}

struct MobileNet<'a> {
    g: GraphBuilder,
    w: &'a mut dyn Weights,
}

/// A convolution's geometry.
#[derive(Clone, Copy)]
struct ConvShape {
    inputs: usize,
    outputs: usize,
    kernel: usize,
    stride: usize,
    groups: usize,
}

impl ConvShape {
    fn pointwise(inputs: usize, outputs: usize) -> Self {
        Self {
            inputs,
            outputs,
            kernel: 1,
            stride: 1,
            groups: 1,
        }
    }
}

/// He initialisation gains: before ReLU6, and for a linear projection.
const GAIN_RELU: f32 = 2.0;
const GAIN_LINEAR: f32 = 1.0;

impl MobileNet<'_> {
    fn scoped<R>(&mut self, component: &str, f: impl FnOnce(&mut Self) -> R) -> R {
        self.g.enter(component);
        let result = f(self);
        self.g.leave();
        result
    }

    /// `model.features`: the stem, 17 inverted residual blocks, and the last 1x1 convolution.
    fn features(
        &mut self,
        input: &str,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<String, ZooError> {
        let total = 2 + SETTINGS.iter().map(|s| s.2).sum::<usize>();
        let stem = ConvShape {
            inputs: 3,
            outputs: FIRST_CHANNELS,
            kernel: 3,
            stride: 2,
            groups: 1,
        };
        let mut x = self.conv_norm_relu6(input, "features.0", "features.0", stem)?;
        progress(1, total);
        let mut channels = FIRST_CHANNELS;
        let mut index = 1;
        for (expansion, outputs, repeats, first_stride) in SETTINGS {
            for repeat in 0..repeats {
                let stride = if repeat == 0 { first_stride } else { 1 };
                x = self.inverted_residual(&x, index, channels, outputs, stride, expansion)?;
                channels = outputs;
                index += 1;
                progress(index, total);
            }
        }
        let name = format!("features.{index}");
        let last = ConvShape::pointwise(channels, LAST_CHANNELS);
        let x = self.conv_norm_relu6(&x, &name, &name, last)?;
        progress(total, total);
        Ok(x)
    }

    /// torchvision's `InvertedResidual` number `index` (module `features.<index>`).
    fn inverted_residual(
        &mut self,
        x: &str,
        index: usize,
        inputs: usize,
        outputs: usize,
        stride: usize,
        expansion: usize,
    ) -> Result<String, ZooError> {
        let path = format!("features.{index}.conv");
        let hidden = inputs * expansion;
        self.scoped(&format!("features.{index}"), |m| {
            let y = m.scoped("conv", |m| -> Result<String, ZooError> {
                let mut y = x.to_string();
                let mut layer = 0;
                if expansion != 1 {
                    let expand = ConvShape::pointwise(inputs, hidden);
                    y = m.conv_norm_relu6(&y, &format!("{path}.0"), "conv.0", expand)?;
                    layer = 1;
                }
                let depthwise = ConvShape {
                    inputs: hidden,
                    outputs: hidden,
                    kernel: 3,
                    stride,
                    groups: hidden,
                };
                let name = format!("{path}.{layer}");
                y = m.conv_norm_relu6(&y, &name, &format!("conv.{layer}"), depthwise)?;
                let project = ConvShape::pointwise(hidden, outputs);
                let conv = format!("{path}.{}", layer + 1);
                let bn = format!("{path}.{}", layer + 2);
                m.scoped(&format!("conv.{}", layer + 1), |m| {
                    m.folded_conv(&y, &conv, &bn, project, GAIN_LINEAR)
                })
            })?;
            Ok(if stride == 1 && inputs == outputs {
                m.g.op("Add", &[x, &y], vec![])
            } else {
                y
            })
        })
    }

    /// torchvision's `Conv2dNormActivation` with ReLU6 at module path `path`, whose scope name
    /// is `component`: children `.0` (conv), `.1` (BatchNorm, folded) and `.2` (ReLU6).
    fn conv_norm_relu6(
        &mut self,
        x: &str,
        path: &str,
        component: &str,
        shape: ConvShape,
    ) -> Result<String, ZooError> {
        self.scoped(component, |m| {
            let conv = m.scoped(&format!("{component}.0"), |m| {
                m.folded_conv(
                    x,
                    &format!("{path}.0"),
                    &format!("{path}.1"),
                    shape,
                    GAIN_RELU,
                )
            })?;
            Ok(m.scoped(&format!("{component}.2"), |m| m.relu6(&conv)))
        })
    }

    /// `Conv2d` (no bias) followed by `BatchNorm2d`, folded into one `Conv` with a bias as the
    /// exporter does in eval mode. `conv` and `bn` are the two modules' paths.
    fn folded_conv(
        &mut self,
        x: &str,
        conv: &str,
        bn: &str,
        shape: ConvShape,
        gain: f32,
    ) -> Result<String, ZooError> {
        let per_group = shape.inputs / shape.groups;
        let fan_in = per_group * shape.kernel * shape.kernel;
        let mut weight = self.w.tensor(
            &format!("{conv}.weight"),
            &[shape.outputs, per_group, shape.kernel, shape.kernel],
            Init::Normal {
                std: (gain / fan_in as f32).sqrt(),
            },
        )?;
        let channels = [shape.outputs];
        let mut bn_tensor = |name: &str, init: f32| {
            self.w
                .tensor(&format!("{bn}.{name}"), &channels, Init::Constant(init))
        };
        let gamma = bn_tensor("weight", 1.0)?;
        let beta = bn_tensor("bias", 0.0)?;
        let mean = bn_tensor("running_mean", 0.0)?;
        let var = bn_tensor("running_var", 1.0)?;
        // BN(conv(x)) = conv(x) * s + (beta - mean * s), with s = gamma / sqrt(var + eps).
        let mut bias = Vec::with_capacity(shape.outputs);
        for (o, filter) in weight.chunks_exact_mut(fan_in).enumerate() {
            let s = gamma[o] / (var[o] + BN_EPS).sqrt();
            filter.iter_mut().for_each(|w| *w *= s);
            bias.push(beta[o] - mean[o] * s);
        }
        let k = shape.kernel as i64;
        let weight_name = self.g.folded_name("Conv");
        let weight = self.g.weight(
            &weight_name,
            &[shape.outputs as i64, per_group as i64, k, k],
            &weight,
        );
        let bias_name = self.g.folded_name("Conv");
        let bias = self.g.weight(&bias_name, &[shape.outputs as i64], &bias);
        let pad = (k - 1) / 2;
        let stride = shape.stride as i64;
        Ok(self.g.op(
            "Conv",
            &[x, &weight, &bias],
            vec![
                AttributeProto::ints("dilations", &[1, 1]),
                AttributeProto::int("group", shape.groups as i64),
                AttributeProto::ints("kernel_shape", &[k, k]),
                AttributeProto::ints("pads", &[pad, pad, pad, pad]),
                AttributeProto::ints("strides", &[stride, stride]),
            ],
        ))
    }

    /// `nn.ReLU6`, exported as `Clip` with constant bounds.
    fn relu6(&mut self, x: &str) -> String {
        let low = self.g.const_float_scalar(0.0);
        let high = self.g.const_float_scalar(6.0);
        self.g.op("Clip", &[x, &low, &high], vec![])
    }

    /// `classifier = Sequential(Dropout, Linear)`: a `Gemm` with the `[out, in]` weight.
    fn classifier(&mut self, x: &str, classes: usize) -> Result<String, ZooError> {
        let weight = self.w.tensor(
            "classifier.1.weight",
            &[classes, LAST_CHANNELS],
            Init::Normal {
                std: (GAIN_LINEAR / LAST_CHANNELS as f32).sqrt(),
            },
        )?;
        let bias = self
            .w
            .tensor("classifier.1.bias", &[classes], Init::Constant(0.0))?;
        let weight = self.g.weight(
            "classifier.1.weight",
            &[classes as i64, LAST_CHANNELS as i64],
            &weight,
        );
        let bias = self.g.weight("classifier.1.bias", &[classes as i64], &bias);
        Ok(self.scoped("classifier", |m| {
            m.scoped("classifier.1", |m| {
                m.g.op(
                    "Gemm",
                    &[x, &weight, &bias],
                    vec![
                        AttributeProto::float("alpha", 1.0),
                        AttributeProto::float("beta", 1.0),
                        AttributeProto::int("transB", 1),
                    ],
                )
            })
        }))
    }
}
