using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using FastBucket.E2E.Measurement;
using FastBucket.E2E.Workload;
using Microsoft.ML.Tokenizers;

namespace FastBucket.E2E.Contenders.Cookbook;

/// <summary>
/// A line-by-line C# port of the throttle in openai-cookbook's <c>examples/api_request_parallel_processor.py</c>
/// (<c>process_api_requests_from_file</c>, <c>StatusTracker</c>, <c>APIRequest.call_api</c>,
/// <c>num_tokens_consumed_from_request</c>). Comments quote the Python each part mirrors.
/// </summary>
/// <remarks>
/// Differences, all forced by the language and none touching the throttle: asyncio is single-threaded, .NET tasks
/// are not, so the shared counters use Interlocked and the retry queue is a ConcurrentQueue; "the file" is the
/// workload list; results are recorded instead of appended to a JSONL file; logging is dropped.
/// The rate-limit test is the script's long-standing <c>"Rate limit" in response["error"].get("message", "")</c>:
/// the newest version compares <c>error["error"]["code"] == "429"</c>, which OpenAI's 429 bodies (code
/// <c>rate_limit_exceeded</c>) never match, so there the 15 s pause never fires at all.
/// aiohttp's defaults are mirrored on the client: at most 100 connections, a 300 s total timeout.
/// </remarks>
internal sealed class CookbookParallelProcessor
{
    // seconds_to_pause_after_rate_limit_error = 15
    private const double SecondsToPauseAfterRateLimitError = 15;

    // seconds_to_sleep_each_loop = 0.001  # 1 ms limits max throughput to 1,000 requests per second
    private const double SecondsToSleepEachLoop = 0.001;

    // tiktoken.get_encoding(token_encoding_name), with token_encoding_name = "o200k_base" (gpt-4o-mini's encoding).
    private static readonly Lazy<Tokenizer> Encoding = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    private readonly RunRecorder _recorder;
    private readonly CookbookStatusTracker _statusTracker = new();

    public CookbookParallelProcessor(RunRecorder recorder)
    {
        _recorder = recorder;
    }

    public CookbookStatusTracker Status => _statusTracker;

    /// <summary>async def process_api_requests_from_file(...)</summary>
    public async Task ProcessApiRequestsAsync(
        IReadOnlyList<WorkloadRequest> requestsFile,
        Uri requestUrl,
        double maxRequestsPerMinute,
        double maxTokensPerMinute,
        int maxAttempts,
        CancellationToken cancellationToken)
    {
        // api_endpoint = api_endpoint_from_url(request_url)
        const string apiEndpoint = "chat/completions";

        // request_header = {"Authorization": f"Bearer {api_key}"}: each request carries its provider's header (ChatRequest.Create).

        // queue_of_requests_to_retry = asyncio.Queue()
        var queueOfRequestsToRetry = new ConcurrentQueue<CookbookApiRequest>();

        // next_request = None  # variable to hold the next request to call
        CookbookApiRequest? nextRequest = null;

        // available_request_capacity = max_requests_per_minute
        // available_token_capacity = max_tokens_per_minute
        // last_update_time = time.time()
        double availableRequestCapacity = maxRequestsPerMinute;
        double availableTokenCapacity = maxTokensPerMinute;
        double lastUpdateTime = Time();

        // file_not_finished = True  # after file is empty, we'll skip reading it
        bool fileNotFinished = true;

        // requests = file.__iter__()
        using var requests = requestsFile.GetEnumerator();
        _recorder.Submitted();

        // async with aiohttp.ClientSession() as session:  (aiohttp defaults: 100 connections, 300 s total timeout)
        using var session = new HttpClient(new RecordingHandler(_recorder, new SocketsHttpHandler { MaxConnectionsPerServer = 100 }))
        {
            Timeout = TimeSpan.FromSeconds(300),
        };
        var inFlight = new List<Task>();

        // while True:
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // if next_request is None:
            if (nextRequest is null)
            {
                // if not queue_of_requests_to_retry.empty():
                //     next_request = queue_of_requests_to_retry.get_nowait()
                if (queueOfRequestsToRetry.TryDequeue(out var retry))
                {
                    nextRequest = retry;
                }

                // elif file_not_finished:
                else if (fileNotFinished)
                {
                    // try: request_json = json.loads(next(requests))
                    if (requests.MoveNext())
                    {
                        var requestJson = requests.Current;

                        // next_request = APIRequest(task_id=next(task_id_generator), request_json=request_json,
                        //     token_consumption=num_tokens_consumed_from_request(request_json, api_endpoint, token_encoding_name),
                        //     attempts_left=max_attempts, metadata=request_json.pop("metadata", None))
                        nextRequest = new CookbookApiRequest(
                            requestJson,
                            NumTokensConsumedFromRequest(requestJson.EstimateBody, apiEndpoint),
                            maxAttempts);

                        // status_tracker.num_tasks_started += 1
                        // status_tracker.num_tasks_in_progress += 1
                        Interlocked.Increment(ref _statusTracker.NumTasksStarted);
                        Interlocked.Increment(ref _statusTracker.NumTasksInProgress);
                    }

                    // except StopIteration: file_not_finished = False
                    else
                    {
                        fileNotFinished = false;
                    }
                }
            }

            // current_time = time.time()
            // seconds_since_update = current_time - last_update_time
            double currentTime = Time();
            double secondsSinceUpdate = currentTime - lastUpdateTime;

            // available_request_capacity = min(available_request_capacity + max_requests_per_minute * seconds_since_update / 60.0, max_requests_per_minute)
            availableRequestCapacity = Math.Min(
                availableRequestCapacity + (maxRequestsPerMinute * secondsSinceUpdate / 60.0),
                maxRequestsPerMinute);

            // available_token_capacity = min(available_token_capacity + max_tokens_per_minute * seconds_since_update / 60.0, max_tokens_per_minute)
            availableTokenCapacity = Math.Min(
                availableTokenCapacity + (maxTokensPerMinute * secondsSinceUpdate / 60.0),
                maxTokensPerMinute);

            // last_update_time = current_time
            lastUpdateTime = currentTime;

            // if next_request:
            if (nextRequest is not null)
            {
                // next_request_tokens = next_request.token_consumption
                int nextRequestTokens = nextRequest.TokenConsumption;

                // if available_request_capacity >= 1 and available_token_capacity >= next_request_tokens:
                if (availableRequestCapacity >= 1 && availableTokenCapacity >= nextRequestTokens)
                {
                    // available_request_capacity -= 1
                    // available_token_capacity -= next_request_tokens
                    // next_request.attempts_left -= 1
                    availableRequestCapacity -= 1;
                    availableTokenCapacity -= nextRequestTokens;
                    nextRequest.AttemptsLeft -= 1;

                    // asyncio.create_task(next_request.call_api(session=session, request_url=request_url,
                    //     request_header=request_header, retry_queue=queue_of_requests_to_retry, ...))
                    inFlight.Add(CallApiAsync(nextRequest, session, requestUrl, queueOfRequestsToRetry, cancellationToken));

                    // next_request = None  # reset next_request to empty
                    nextRequest = null;
                }
            }

            // if status_tracker.num_tasks_in_progress == 0: break
            if (Volatile.Read(ref _statusTracker.NumTasksInProgress) == 0)
            {
                break;
            }

            // await asyncio.sleep(seconds_to_sleep_each_loop)
            await Task.Delay(TimeSpan.FromSeconds(SecondsToSleepEachLoop), cancellationToken);

            // seconds_since_rate_limit_error = time.time() - status_tracker.time_of_last_rate_limit_error
            double secondsSinceRateLimitError = Time() - _statusTracker.TimeOfLastRateLimitError;

            // if seconds_since_rate_limit_error < seconds_to_pause_after_rate_limit_error:
            if (secondsSinceRateLimitError < SecondsToPauseAfterRateLimitError)
            {
                // remaining_seconds_to_pause = seconds_to_pause_after_rate_limit_error - seconds_since_rate_limit_error
                // await asyncio.sleep(remaining_seconds_to_pause)
                double remainingSecondsToPause = SecondsToPauseAfterRateLimitError - secondsSinceRateLimitError;
                Interlocked.Increment(ref _statusTracker.NumPauses);
                await Task.Delay(TimeSpan.FromSeconds(remainingSecondsToPause), cancellationToken);
            }
        }

        // Every task has decremented num_tasks_in_progress by now; this only surfaces unexpected faults.
        await Task.WhenAll(inFlight);
    }

    /// <summary>def num_tokens_consumed_from_request(request_json, api_endpoint, token_encoding_name)</summary>
    public static int NumTokensConsumedFromRequest(string requestJson, string apiEndpoint)
    {
        Debug.Assert(apiEndpoint == "chat/completions", "The workload is chat completions only.");
        using var document = JsonDocument.Parse(requestJson);
        var root = document.RootElement;

        // max_tokens = request_json.get("max_tokens", 15)
        // n = request_json.get("n", 1)
        // completion_tokens = n * max_tokens
        int maxTokens = root.TryGetProperty("max_tokens", out var max) ? max.GetInt32() : 15;
        int n = root.TryGetProperty("n", out var nValue) ? nValue.GetInt32() : 1;
        int completionTokens = n * maxTokens;

        // num_tokens = 0
        int numTokens = 0;

        // for message in request_json["messages"]:
        foreach (var message in root.GetProperty("messages").EnumerateArray())
        {
            // num_tokens += 4  # every message follows <im_start>{role/name}\n{content}<im_end>\n
            numTokens += 4;

            // for key, value in message.items():
            foreach (var property in message.EnumerateObject())
            {
                // num_tokens += len(encoding.encode(value))
                numTokens += Encoding.Value.CountTokens(property.Value.GetString() ?? string.Empty);

                // if key == "name": num_tokens -= 1  # role is always required and always 1 token
                if (property.NameEquals("name"))
                {
                    numTokens -= 1;
                }
            }
        }

        // num_tokens += 2  # every reply is primed with <im_start>assistant
        // return num_tokens + completion_tokens
        numTokens += 2;
        return numTokens + completionTokens;
    }

    /// <summary>async def call_api(self, session, request_url, request_header, retry_queue, save_filepath, status_tracker)</summary>
    private async Task CallApiAsync(
        CookbookApiRequest self,
        HttpClient session,
        Uri requestUrl,
        ConcurrentQueue<CookbookApiRequest> retryQueue,
        CancellationToken cancellationToken)
    {
        // Start the request off the loop, as asyncio.create_task schedules it rather than running it inline.
        await Task.Yield();

        // error = None
        bool error = false;

        // try:
        try
        {
            // async with session.post(url=request_url, headers=request_header, json=self.request_json) as response:
            //     response = await response.json()
            // The script speaks OpenAI's wire; for the other providers the port sends each request to its own path
            // with its own authentication header, and changes nothing else.
            using var message = ChatRequest.Create(requestUrl, self.RequestJson);
            using var httpResponse = await session.SendAsync(message, cancellationToken);
            var bytes = await httpResponse.Content.ReadAsByteArrayAsync(cancellationToken);
            using var response = JsonDocument.Parse(bytes);

            // if "error" in response:
            if (response.RootElement.ValueKind == JsonValueKind.Object && response.RootElement.TryGetProperty("error", out var responseError))
            {
                // status_tracker.num_api_errors += 1
                // error = response
                Interlocked.Increment(ref _statusTracker.NumApiErrors);
                error = true;

                // if "Rate limit" in response["error"].get("message", ""):
                string messageText = responseError.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : string.Empty;
                if (messageText.Contains("Rate limit", StringComparison.Ordinal))
                {
                    // status_tracker.time_of_last_rate_limit_error = time.time()
                    // status_tracker.num_rate_limit_errors += 1
                    // status_tracker.num_api_errors -= 1  # rate limit errors are counted separately
                    _statusTracker.TimeOfLastRateLimitError = Time();
                    Interlocked.Increment(ref _statusTracker.NumRateLimitErrors);
                    Interlocked.Decrement(ref _statusTracker.NumApiErrors);
                }
            }
        }

        // except Exception as e:  # catching naked exceptions is bad practice, but in this case we'll log & save them
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // status_tracker.num_other_errors += 1
            // error = e
            Interlocked.Increment(ref _statusTracker.NumOtherErrors);
            error = true;
        }

        // if error:
        if (error)
        {
            // if self.attempts_left: retry_queue.put_nowait(self)
            if (self.AttemptsLeft > 0)
            {
                retryQueue.Enqueue(self);
            }

            // else: ... status_tracker.num_tasks_in_progress -= 1; status_tracker.num_tasks_failed += 1
            else
            {
                _recorder.Completed(self.RequestJson.Index, succeeded: false);
                Interlocked.Increment(ref _statusTracker.NumTasksFailed);
                Interlocked.Decrement(ref _statusTracker.NumTasksInProgress);
            }
        }

        // else: ... status_tracker.num_tasks_in_progress -= 1; status_tracker.num_tasks_succeeded += 1
        else
        {
            _recorder.Completed(self.RequestJson.Index, succeeded: true);
            Interlocked.Increment(ref _statusTracker.NumTasksSucceeded);
            Interlocked.Decrement(ref _statusTracker.NumTasksInProgress);
        }
    }

    // time.time(), as seconds on a monotonic clock.
    private static double Time() => Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
}
