Feature: Waiting for verification
  As someone who has registered, I cannot order gas until staff have verified me, and the line
  tells me where I stand each time I dial.

  Scenario: My registration is still under review
    Given I registered as "Ama Mensah" and am waiting for verification
    When I dial the service
    Then the session ends with "Your registration is under review"
    And I see "Call 0302 000 000"

  Scenario: Once staff verify me I see the main menu
    Given I registered as "Ama Mensah" and am waiting for verification
    When staff verify my registration
    Then I receive an SMS containing "your account is verified"
    When I dial the service
    Then the screen starts with "Hi Ama"
    And I see these options in order:
      | 1. Make deposit    |
      | 2. Order status    |
      | 3. Account balance |
      | 4. Customer care   |
      | 5. Refill gas      |
      | 6. My account      |

  Scenario: Staff could not verify me
    Given I registered as "Ama Mensah" and am waiting for verification
    When staff reject my registration
    Then I receive an SMS containing "we could not verify your registration"
    When I dial the service
    Then the session ends with "We could not verify your registration"
    And I see "Please call 0302 000 000"
