// Which ops of a graph the compute device cannot run. On the CPU every op is supported; on a GPU backend (CUDA,
// Vulkan, Metal) training graphs may hold ops its kernels lack: the run log lists them, once.
import koffi from "koffi";
import { ggmlTensorStruct, type GgmlApi, type GgmlDevice, type GgmlGraph } from "../native/ggml-bindings.js";

/** Names of the ops (GGML_OP_*) among `graph`'s nodes that `device` does not support, sorted, without repeats. */
export function unsupportedOps(api: GgmlApi, device: GgmlDevice, graph: GgmlGraph): string[] {
  const names = new Set<string>();
  for (let i = 0; i < api.ggml_graph_n_nodes(graph); i++) {
    const node = api.ggml_graph_node(graph, i);
    if (api.ggml_backend_dev_supports_op(device, node)) continue;
    const { op } = koffi.decode(node, ggmlTensorStruct) as { op: number };
    names.add(api.ggml_op_name(op));
  }
  return [...names].sort();
}
