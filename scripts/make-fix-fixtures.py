#!/usr/bin/env python3
"""Regenerates tests/fixtures/fix/: small BERTs exported by tools other than epbench.

epbench's own zoo writes its graphs with its own builder; `epbench fix` must also work on what
other tools produce. This script makes, with a random-initialised tiny Hugging Face BERT:

- hf-tiny-bert_opset14_dynamic.onnx: `torch.onnx.export` (TorchScript exporter) at opset 14 with
  dynamic batch and sequence axes: exact GELU as Div/Erf/Add/Mul/Mul, shape plumbing;
- hf-tiny-bert_opset20_dynamic.onnx: the same at opset 20, where GELU is the `Gelu` op;
- hf-tiny-bert_opset14_dynamic_fp16.onnx: the opset-14 file converted by onnxconverter-common's
  `convert_float_to_float16` (keep_io_types=False), what practitioners do to get an fp16 model;
- local-function_opset18.onnx: written with onnx.helper, a GELU inside a model-local function:
  rewrites do not enter functions, and a rewritten file must keep them.

Run it in a virtual environment with the packages below (CPU is enough):

    python3 -m venv venv && venv/bin/pip install torch transformers onnx onnxconverter-common
    venv/bin/python scripts/make-fix-fixtures.py

The weights are random (seed 0), so the files are deterministic for a given torch version.
"""

import pathlib

import onnx
import torch
from onnxconverter_common import float16
from transformers import BertConfig, BertModel

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "fix"


class Encoder(torch.nn.Module):
    """BertModel with the three inputs positional, as deployment exports call it."""

    def __init__(self, bert):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids, attention_mask, token_type_ids):
        out = self.bert(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        )
        return out.last_hidden_state, out.pooler_output


def export(model, opset, path):
    batch, sequence = 1, 16
    ids = torch.randint(0, model.bert.config.vocab_size, (batch, sequence))
    mask = torch.ones(batch, sequence, dtype=torch.int64)
    types = torch.zeros(batch, sequence, dtype=torch.int64)
    axes = {0: "batch_size", 1: "sequence_length"}
    torch.onnx.export(
        model,
        (ids, mask, types),
        str(path),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["last_hidden_state", "pooler_output"],
        dynamic_axes={
            "input_ids": axes,
            "attention_mask": axes,
            "token_type_ids": axes,
            "last_hidden_state": axes,
            "pooler_output": {0: "batch_size"},
        },
        opset_version=opset,
        dynamo=False,
    )
    onnx.checker.check_model(onnx.load(str(path)))


def local_function_model(path):
    from onnx import TensorProto, helper

    body = [
        helper.make_node("Constant", [], ["sqrt2"], value_float=2.0**0.5),
        helper.make_node("Div", ["x", "sqrt2"], ["scaled"]),
        helper.make_node("Erf", ["scaled"], ["erf"]),
        helper.make_node("Constant", [], ["one"], value_float=1.0),
        helper.make_node("Add", ["erf", "one"], ["plus"]),
        helper.make_node("Mul", ["x", "plus"], ["product"]),
        helper.make_node("Constant", [], ["half"], value_float=0.5),
        helper.make_node("Mul", ["product", "half"], ["y"]),
    ]
    opsets = [helper.make_opsetid("", 18), helper.make_opsetid("local", 1)]
    function = helper.make_function("local", "ExactGelu", ["x"], ["y"], body, opsets)
    graph = helper.make_graph(
        [helper.make_node("ExactGelu", ["x"], ["y"], domain="local")],
        "with_function",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 8])],
    )
    model = helper.make_model(graph, opset_imports=opsets, functions=[function])
    model.ir_version = 9
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def main():
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=64,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=32,
        hidden_act="gelu",
        attn_implementation="eager",
    )
    model = Encoder(BertModel(config).eval()).eval()
    OUT.mkdir(parents=True, exist_ok=True)
    opset14 = OUT / "hf-tiny-bert_opset14_dynamic.onnx"
    export(model, 14, opset14)
    export(model, 20, OUT / "hf-tiny-bert_opset20_dynamic.onnx")
    fp16 = float16.convert_float_to_float16(onnx.load(str(opset14)), keep_io_types=False)
    onnx.save(fp16, str(OUT / "hf-tiny-bert_opset14_dynamic_fp16.onnx"))
    local_function_model(OUT / "local-function_opset18.onnx")
    for path in sorted(OUT.glob("*.onnx")):
        print(f"{path.name}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
