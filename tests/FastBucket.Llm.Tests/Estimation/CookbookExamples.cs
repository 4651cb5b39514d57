namespace FastBucket.Llm.Tests.Estimation;

/// <summary>
/// The request bodies of the OpenAI cookbook "How to count tokens with tiktoken"
/// (github.com/openai/openai-cookbook, examples/How_to_count_tokens_with_tiktoken.ipynb), whose prompt token counts the
/// notebook shows as returned by the OpenAI API.
/// </summary>
internal static class CookbookExamples
{
    /// <summary>The six corporate-jargon messages of section 6.</summary>
    public const string JargonMessages = """
        [
          {"role": "system", "content": "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
          {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
          {"role": "system", "name": "example_assistant", "content": "Things working well together will increase revenue."},
          {"role": "system", "name": "example_user", "content": "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."},
          {"role": "system", "name": "example_assistant", "content": "Let's talk later when we're less busy about how to do better."},
          {"role": "user", "content": "This late pivot means we don't have time to boil the ocean for the client deliverable."}
        ]
        """;

    /// <summary>The weather tool of section 7.</summary>
    public const string WeatherTools = """
        [
          {
            "type": "function",
            "function": {
              "name": "get_current_weather",
              "description": "Get the current weather in a given location",
              "parameters": {
                "type": "object",
                "properties": {
                  "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                  "unit": {"type": "string", "description": "The unit of temperature to return", "enum": ["celsius", "fahrenheit"]}
                },
                "required": ["location"]
              }
            }
          }
        ]
        """;

    /// <summary>The two weather messages of section 7.</summary>
    public const string WeatherMessages = """
        [
          {"role": "system", "content": "You are a helpful assistant that can answer to questions about the weather."},
          {"role": "user", "content": "What's the weather like in San Francisco?"}
        ]
        """;

    /// <summary>A chat body for <paramref name="model"/> with <see cref="JargonMessages"/>, as the notebook sent it (max_tokens 1).</summary>
    public static byte[] JargonChatBody(string model) =>
        Utf8($$"""{"model": "{{model}}", "messages": {{JargonMessages}}, "temperature": 0, "max_tokens": 1}""");

    /// <summary>A chat body for <paramref name="model"/> with the weather messages and tool, as the notebook sent it.</summary>
    public static byte[] WeatherChatBody(string model) =>
        Utf8($$"""{"model": "{{model}}", "messages": {{WeatherMessages}}, "tools": {{WeatherTools}}, "temperature": 0}""");

    /// <summary>UTF-8 bytes of a string.</summary>
    public static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
