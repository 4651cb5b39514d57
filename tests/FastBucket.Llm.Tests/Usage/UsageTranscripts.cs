using FastBucket.Providers;
using FastBucket.Quotas;

namespace FastBucket.Llm.Tests.Usage;

/// <summary>Realistic streaming bodies of each provider, shaped as the providers' documentation and real captures show them.</summary>
internal static class UsageTranscripts
{
    /// <summary>OpenAI chat completions with <c>stream_options: {"include_usage": true}</c>: usage in a last chunk with no choices, then <c>[DONE]</c>.</summary>
    public static readonly UsageTranscript OpenAIChat = new(
        "openai-chat",
        LlmProvider.OpenAI,
        """
        data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_f9f4fb6dbf","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_f9f4fb6dbf","choices":[{"index":0,"delta":{"content":"Say \"hi\" {to} [everyone]"},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_f9f4fb6dbf","choices":[{"index":0,"delta":{"content":" caf\u00e9 \u2014 done."},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_f9f4fb6dbf","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}

        data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_f9f4fb6dbf","choices":[],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}

        data: [DONE]


        """,
        new TokenUsage(19, 10));

    /// <summary>The same stream without <c>include_usage</c>: no usage anywhere.</summary>
    public static readonly UsageTranscript OpenAIChatWithoutUsage = new(
        "openai-chat-no-usage",
        LlmProvider.OpenAI,
        """
        data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}

        data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}]}

        data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}

        data: [DONE]


        """,
        null);

    /// <summary>The OpenAI Responses API: named events, usage in <c>response.completed</c>'s nested <c>response</c>.</summary>
    public static readonly UsageTranscript OpenAIResponses = new(
        "openai-responses",
        LlmProvider.OpenAI,
        """
        event: response.created
        data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654","object":"response","created_at":1741290958,"status":"in_progress","error":null,"model":"gpt-4.1-2025-04-14","output":[],"usage":null,"metadata":{}}}

        event: response.in_progress
        data: {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654","object":"response","status":"in_progress","usage":null}}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654","output_index":0,"content_index":0,"delta":"Hi \"there\" }"}

        event: response.output_text.done
        data: {"type":"response.output_text.done","sequence_number":5,"item_id":"msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654","output_index":0,"content_index":0,"text":"Hi \"there\" }"}

        event: response.completed
        data: {"type":"response.completed","sequence_number":6,"response":{"id":"resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654","object":"response","created_at":1741290958,"status":"completed","model":"gpt-4.1-2025-04-14","output":[{"id":"msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi \"there\" }","annotations":[]}]}],"usage":{"input_tokens":37,"input_tokens_details":{"cached_tokens":0},"output_tokens":11,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":48},"metadata":{}}}


        """,
        new TokenUsage(37, 11));

    /// <summary>Anthropic Messages: input (with cache writes, without cache reads, as ITPM counts) in <c>message_start</c>, cumulative output in <c>message_delta</c>, a ping on the way.</summary>
    public static readonly UsageTranscript Anthropic = new(
        "anthropic",
        LlmProvider.Anthropic,
        """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: ping
        data: {"type": "ping"}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello \\ \"world\" {"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"!"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}

        event: message_stop
        data: {"type":"message_stop"}


        """,
        new TokenUsage(125, 15));

    /// <summary>Gemini <c>streamGenerateContent?alt=sse</c>: cumulative <c>usageMetadata</c> on every chunk, thoughts counted as output.</summary>
    public static readonly UsageTranscript GeminiSse = new(
        "gemini-sse",
        LlmProvider.Gemini,
        """
        data: {"candidates": [{"content": {"parts": [{"text": "The"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 8,"totalTokenCount": 8,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 8}]},"modelVersion": "gemini-2.5-flash","responseId": "B0p0aOXbM4y3nvgPpJ7B2Ao"}

        data: {"candidates": [{"content": {"parts": [{"text": " quick \"brown\" fox"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 8,"candidatesTokenCount": 5,"totalTokenCount": 43,"thoughtsTokenCount": 30},"modelVersion": "gemini-2.5-flash","responseId": "B0p0aOXbM4y3nvgPpJ7B2Ao"}

        data: {"candidates": [{"content": {"parts": [{"text": " jumps."}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 8,"candidatesTokenCount": 120,"totalTokenCount": 158,"thoughtsTokenCount": 30,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 8}]},"modelVersion": "gemini-2.5-flash","responseId": "B0p0aOXbM4y3nvgPpJ7B2Ao"}


        """,
        new TokenUsage(8, 150));

    /// <summary>Gemini <c>streamGenerateContent</c> without <c>alt=sse</c>: one pretty-printed JSON array, delivered element by element.</summary>
    public static readonly UsageTranscript GeminiJsonArray = new(
        "gemini-json-array",
        LlmProvider.Gemini,
        """
        [{
          "candidates": [
            {
              "content": {
                "parts": [
                  {
                    "text": "Here is code: if (a) { b[\"]\"] = \"\\\\\"; }"
                  }
                ],
                "role": "model"
              },
              "index": 0
            }
          ],
          "usageMetadata": {
            "promptTokenCount": 11,
            "candidatesTokenCount": 4,
            "totalTokenCount": 15
          },
          "modelVersion": "gemini-2.0-flash"
        }
        ,
        {
          "candidates": [
            {
              "content": {
                "parts": [
                  {
                    "text": " ]} more \"}]\" text"
                  }
                ],
                "role": "model"
              },
              "finishReason": "STOP",
              "index": 0
            }
          ],
          "usageMetadata": {
            "promptTokenCount": 11,
            "candidatesTokenCount": 42,
            "totalTokenCount": 53
          },
          "modelVersion": "gemini-2.0-flash"
        }
        ]
        """,
        new TokenUsage(11, 42));

    /// <summary>OpenRouter: OpenAI-shaped chunks with <c>: OPENROUTER PROCESSING</c> keep-alive comments before the first token.</summary>
    public static readonly UsageTranscript OpenRouter = new(
        "openrouter",
        LlmProvider.OpenRouter,
        """
        : OPENROUTER PROCESSING

        : OPENROUTER PROCESSING

        data: {"id":"gen-1755780000-abc","provider":"OpenAI","model":"openai/gpt-4o","object":"chat.completion.chunk","created":1755780000,"choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

        :

        data: {"id":"gen-1755780000-abc","provider":"OpenAI","model":"openai/gpt-4o","object":"chat.completion.chunk","created":1755780000,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"stop","native_finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":14,"completion_tokens":3,"total_tokens":17,"cost":0.000065,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}

        data: [DONE]


        """,
        new TokenUsage(14, 3));

    /// <summary>Groq: OpenAI-shaped chunks, the usage in the last chunk's <c>x_groq</c> object.</summary>
    public static readonly UsageTranscript Groq = new(
        "groq",
        LlmProvider.Groq,
        """
        data: {"id":"chatcmpl-5a4c0ee1-9d7e-4c41-a7b2-0d1b8f3f6c11","object":"chat.completion.chunk","created":1755780000,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_3f3b593e33","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"x_groq":{"id":"req_01k33qg1w9fdgvx5b0c2v3cz5m"}}

        data: {"id":"chatcmpl-5a4c0ee1-9d7e-4c41-a7b2-0d1b8f3f6c11","object":"chat.completion.chunk","created":1755780000,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_3f3b593e33","choices":[{"index":0,"delta":{"content":"Fast"},"logprobs":null,"finish_reason":null}]}

        data: {"id":"chatcmpl-5a4c0ee1-9d7e-4c41-a7b2-0d1b8f3f6c11","object":"chat.completion.chunk","created":1755780000,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_3f3b593e33","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"x_groq":{"id":"req_01k33qg1w9fdgvx5b0c2v3cz5m","usage":{"queue_time":0.018214,"prompt_tokens":43,"prompt_time":0.00214,"completion_tokens":120,"completion_time":0.436363636,"total_tokens":163,"total_time":0.438503636}}}

        data: [DONE]


        """,
        new TokenUsage(43, 120));

    /// <summary>Azure OpenAI: a first chunk with only <c>prompt_filter_results</c>, content filter results on every chunk, usage last.</summary>
    public static readonly UsageTranscript AzureOpenAI = new(
        "azure-openai",
        LlmProvider.AzureOpenAI,
        """
        data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}}]}

        data: {"choices":[{"content_filter_results":{},"delta":{"content":"","role":"assistant"},"finish_reason":null,"index":0,"logprobs":null}],"created":1755780000,"id":"chatcmpl-C6l3","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0","usage":null}

        data: {"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}},"delta":{"content":"Hello"},"finish_reason":null,"index":0,"logprobs":null}],"created":1755780000,"id":"chatcmpl-C6l3","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0","usage":null}

        data: {"choices":[{"content_filter_results":{},"delta":{},"finish_reason":"stop","index":0,"logprobs":null}],"created":1755780000,"id":"chatcmpl-C6l3","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0","usage":null}

        data: {"choices":[],"created":1755780000,"id":"chatcmpl-C6l3","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0","usage":{"completion_tokens":2,"completion_tokens_details":{"accepted_prediction_tokens":0,"audio_tokens":0,"reasoning_tokens":0,"rejected_prediction_tokens":0},"prompt_tokens":9,"prompt_tokens_details":{"audio_tokens":0,"cached_tokens":0},"total_tokens":11}}

        data: [DONE]


        """,
        new TokenUsage(9, 2));

    /// <summary>Every transcript.</summary>
    public static readonly UsageTranscript[] All = [OpenAIChat, OpenAIChatWithoutUsage, OpenAIResponses, Anthropic, GeminiSse, GeminiJsonArray, OpenRouter, Groq, AzureOpenAI];

    public static UsageTranscript Named(string name) => All.Single(t => t.Name == name);
}
